//! What the pages' form handlers share: the lenient field types of their
//! typed forms (a checkbox, an id that may be missing or wrong, a list of
//! ids from repeated keys), the fields a form names itself (`q_<id>`,
//! `c_…`), the answer to a posted change (a redirect with a notice, or the
//! same page again with the message), the address base of a municipality's
//! pages, the server's own address and a moment in Danish local time.
//!
//! Every form is a `#[derive(Deserialize)]` struct whose fields default to
//! empty, so a wrong or missing field never becomes axum's plain-text
//! rejection: the handler turns the strings into typed input and core says,
//! in Danish and on the page the user came from, what is wrong. Forms with
//! repeated keys (several tasks or units ticked) use
//! `axum_extra::extract::Form`, which collects them into a `Vec`; all
//! others `axum::Form`.
//!
//! Must not decide anything: the rules live in `komhen_core`.

use crate::access::Authorized;
use crate::WebError;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use komhen_core::CoreError;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::future::Future;

/// A path on this site to go back to (`tilbage=`), or None. It must start
/// with one `/` and hold no backslash, whitespace or control character: a
/// browser drops tabs and line breaks and reads `\` as `/`, so `/\evil.example`
/// and `/<tab>/evil.example` would lead to another site, and a line break
/// cannot go into a `Location` header.
pub(crate) fn local_path(path: &str) -> Option<&str> {
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    safe.then_some(path)
}

/// A moment as the pages show it: Danish local time, `31-12-2025 13:45`.
pub(crate) fn when(at: DateTime<Utc>) -> String {
    komhen_domain::danish_local(at)
        .format("%d-%m-%Y %H:%M")
        .to_string()
}

/// [`when`], or «aldrig» for a moment that has not come (a first login).
pub(crate) fn when_or_never(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| crate::t("aldrig").into(), when)
}

/// Where a municipality's set-up pages start: `/kommune/259`.
pub(crate) fn base(auth: &Authorized) -> Result<String, WebError> {
    Ok(format!("/kommune/{}", auth.code()?))
}

/// This server's address as the browser reached it (`https://komhen.dk`),
/// for the addresses a page hands out: the login card's, a one-time
/// link's, the API's.
pub(crate) fn site(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// A form that carries only its CSRF token (undo, log out).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// A ticked checkbox (or a hidden field standing for one): `on`, `true`,
/// `1` or `ja`. Anything else, or no field, is unticked.
pub(crate) fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let value = String::deserialize(d)?;
    Ok(matches!(value.as_str(), "on" | "true" | "1" | "ja"))
}

/// An id chosen in a form; None when none was chosen or the value is not
/// a number (the use case then says what is missing).
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(String::deserialize(d)?.parse().ok())
}

/// The ids of a repeated key (checkbox lists), those that are numbers.
/// Needs `axum_extra::extract::Form`, which collects repeated keys.
pub(crate) fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(Vec::<String>::deserialize(d)?
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect())
}

/// The fields a form's struct does not name, in the order sent: the
/// fields whose names the page makes up (`q_<question>` answers, `c_…`
/// boxes of a paper sheet). Taken with `#[serde(flatten)]`.
#[derive(Debug, Default)]
pub(crate) struct OtherFields(Vec<(String, String)>);

impl OtherFields {
    /// The first value sent under this name, or "".
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The fields whose names start with `prefix`: the rest of the name
    /// and the value.
    pub(crate) fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0
            .iter()
            .filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v.as_str())))
    }
}

impl<'de> Deserialize<'de> for OtherFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = OtherFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("form fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OtherFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry::<String, String>()? {
                    fields.push(field);
                }
                Ok(OtherFields(fields))
            }
        }
        d.deserialize_map(Fields)
    }
}

/// A page shown again after a refused change, with the message on it.
pub(crate) fn refused(html: Html<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
}

/// The answer to a posted change: on success a redirect to `redirect` with
/// the notice; on a message for the user the page again with it (422).
pub(crate) async fn after_change<F, Fut>(
    outcome: Result<(), CoreError>,
    redirect: &str,
    notice: &str,
    page: F,
) -> Result<Response, WebError>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Html<String>, WebError>>,
{
    match outcome {
        Ok(()) => Ok(Redirect::to(&crate::frame::with_notice(redirect, notice)).into_response()),
        Err(CoreError::Invalid(message)) => Ok(refused(page(message).await?)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Sample {
        name: String,
        #[serde(deserialize_with = "checkbox")]
        active: bool,
        #[serde(deserialize_with = "id")]
        department: Option<i64>,
        #[serde(flatten)]
        other: OtherFields,
    }

    #[test]
    fn a_form_with_missing_or_wrong_fields_still_reads() {
        let form: Sample = serde_urlencoded::from_str("department=x").unwrap();
        assert_eq!(form.name, "");
        assert!(!form.active);
        assert_eq!(form.department, None);
        let form: Sample =
            serde_urlencoded::from_str("name=A&active=on&department=7&q_3=x&q_1=y&c_1=2").unwrap();
        assert_eq!((form.name.as_str(), form.active), ("A", true));
        assert_eq!(form.department, Some(7));
        let answers: Vec<_> = form.other.with_prefix("q_").collect();
        assert_eq!(answers, [("3", "x"), ("1", "y")]);
        assert_eq!(form.other.get("c_1"), "2");
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Ticked {
        #[serde(deserialize_with = "ids")]
        task: Vec<i64>,
    }

    /// What `axum_extra::extract::Form` makes of a body.
    async fn ticked(body: &str) -> Vec<i64> {
        use axum::extract::FromRequest;
        let request = axum::http::Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap();
        let axum_extra::extract::Form(form) =
            axum_extra::extract::Form::<Ticked>::from_request(request, &())
                .await
                .unwrap();
        form.task
    }

    #[tokio::test]
    async fn repeated_keys_become_the_ids_that_are_numbers() {
        assert_eq!(ticked("task=3&task=x&task=5").await, [3, 5]);
        assert_eq!(ticked("task=4").await, [4]);
        assert!(ticked("").await.is_empty());
    }
}
