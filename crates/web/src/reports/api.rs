//! The report API (`/api/v1/report`): the engine's report as JSON or CSV
//! for a signed-in reader, within their scope, with errors as JSON with a
//! stable code like every API route.

use super::download::attachment;
use crate::access::Authorized;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use komhen_core::reports::tabular;
use komhen_core::reports::{self, Comparing, Dimension, ReportQuery, Scope};
use komhen_domain::MunicipalityCode;

/// `GET /api/v1/report?kommune=259&fra=..&til=..&grupper=kanal[&format=csv]`:
/// the engine's report as JSON (or CSV), within the caller's scope: a
/// national reader may name any municipalities or none (the nation); anyone
/// else names a municipality they read (or none, when they read just one).
/// Errors are JSON with a stable code, like every API route.
pub(crate) async fn api_report(
    State(state): State<AppState>,
    auth: Authorized,
    RawQuery(raw): RawQuery,
) -> Response {
    use axum::http::StatusCode;
    let refuse = |status: StatusCode, code: &str, message: String| {
        crate::api::error_response(status, code, message)
    };
    let store = state.store.as_ref();
    let Ok(mut pairs) =
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Adressen kan ikke læses.".into(),
        );
    };
    let csv = pairs.iter().any(|(k, v)| k == "format" && v == "csv");
    pairs.retain(|(k, _)| k != "format");
    let query = match ReportQuery::parse(&pairs) {
        Ok(q) => q,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()),
    };
    let named: Vec<MunicipalityCode> = query
        .filter_codes(Dimension::Municipality)
        .iter()
        .filter_map(|c| MunicipalityCode::parse(c).ok())
        .collect();
    let user = &auth.user;
    let scope = if user.reads_national() {
        Scope::national()
    } else {
        let readable: Vec<MunicipalityCode> = user
            .municipalities()
            .into_iter()
            .filter(|m| user.can_read(*m))
            .collect();
        let one = match (named.as_slice(), readable.as_slice()) {
            ([one], _) => *one,
            ([], [only]) => *only,
            ([], _) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "municipality_required",
                    "Angiv kommunen med kommune=, fx kommune=259: du har adgang til flere.".into(),
                )
            }
            _ => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "one_municipality",
                    "Du kan kun hente én kommune ad gangen; angiv én kommune=.".into(),
                )
            }
        };
        match Scope::of_user(user, one) {
            Some(scope) => scope,
            None => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "no_access",
                    format!("Du har ikke adgang til tallene for kommune {one}."),
                )
            }
        }
    };
    let result = async {
        let today = komhen_domain::DateDimensions::of(Utc::now()).day;
        let default_for = match named.as_slice() {
            [one] => Some(*one),
            _ => scope.municipalities.first().copied(),
        };
        let dates = reports::default_dates(store, default_for, today).await?;
        let request = query
            .request(store, &scope, dates, Comparing::Nothing)
            .await?;
        let report = reports::run(store, &request).await?;
        Ok::<_, komhen_core::CoreError>((request, report))
    }
    .await;
    let (request, report) = match result {
        Ok(done) => done,
        Err(komhen_core::CoreError::Invalid(message)) => {
            return refuse(StatusCode::BAD_REQUEST, "invalid_query", message)
        }
        Err(e) => {
            crate::error::log_internal(&e);
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Rapporten kunne ikke beregnes lige nu. Fejlen er skrevet i systemets log.".into(),
            );
        }
    };
    if csv {
        return match tabular::report_table(&report).csv() {
            Ok(bytes) => attachment(bytes, "text/csv; charset=utf-8", "komhen-rapport.csv"),
            Err(e) => {
                crate::error::log_internal(&e);
                refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Rapporten kunne ikke skrives som CSV lige nu. Fejlen er skrevet i systemets \
                     log."
                        .into(),
                )
            }
        };
    }
    let mut explicit = query.clone();
    explicit.dates = Some(request.dates);
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(tabular::report_json(&report, &explicit.pairs())),
    )
        .into_response()
}
