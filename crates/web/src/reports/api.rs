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
#[utoipa::path(
    get,
    path = "/api/v1/report",
    tag = "tal for brugere",
    operation_id = "show_report",
    summary = "En rapport fra rapportmotoren, som JSON eller CSV",
    description = "For en bruger, der er logget ind, inden for brugerens adgang. Rapportens \
        adresse er den samme som rapportsidernes (docs/reports.md); ud over parametrene her \
        filtrerer en dimensions kode (fx `kanal=TLFIND`). En ukendt parameter afvises.",
    params(crate::openapi::ReportParams),
    responses(
        (status = 200, description = "Rapporten (JSON), eller som CSV med `format=csv`.",
            content((crate::openapi::ReportAnswer = "application/json"), (String = "text/csv"))),
        crate::openapi::ReaderErrors,
    ),
    security(("session" = []))
)]
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
    let csv = match wants_csv(&pairs) {
        Ok(csv) => csv,
        Err(refusal) => return refusal.into_response(),
    };
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
        match one_municipality(user, &named) {
            Ok(scope) => scope,
            Err(refusal) => return refusal.into_response(),
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
        let report = reports::run(state.figures_of(&request).await?.as_ref(), &request).await?;
        Ok::<_, komhen_core::CoreError>((request, report))
    }
    .await;
    let (request, report) = match result {
        Ok(done) => done,
        Err(komhen_core::CoreError::Invalid(message)) => {
            return refuse(StatusCode::BAD_REQUEST, "invalid_query", message)
        }
        Err(e) => {
            return crate::error::api_failure(&e, || {
                crate::error::log_internal(&e);
                refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Rapporten kunne ikke beregnes lige nu. Fejlen er skrevet i systemets log."
                        .into(),
                )
            });
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

/// The one municipality an API request reads, as the reader's scope of it:
/// the one named, or the only one the reader reads; refused as JSON with a
/// stable code when none, several, or one the reader may not read is named.
pub(crate) fn one_municipality(
    user: &komhen_core::accounts::access::UserContext,
    named: &[MunicipalityCode],
) -> Result<Scope, Refusal> {
    use axum::http::StatusCode;
    let refuse = |status: StatusCode, code: &'static str, message: String| Refusal {
        status,
        code,
        message,
    };
    let readable: Vec<MunicipalityCode> = user
        .municipalities()
        .into_iter()
        .filter(|m| user.can_read(*m))
        .collect();
    let one = match (named, readable.as_slice()) {
        ([one], _) => *one,
        ([], [only]) if !user.reads_national() => *only,
        ([], _) => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "municipality_required",
                "Angiv kommunen med kommune=, fx kommune=259: du har adgang til flere.".into(),
            ))
        }
        _ => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "one_municipality",
                "Du kan kun hente én kommune ad gangen; angiv én kommune=.".into(),
            ))
        }
    };
    Scope::of_user(user, one).ok_or_else(|| {
        refuse(
            StatusCode::FORBIDDEN,
            "no_access",
            format!("Du har ikke adgang til tallene for kommune {one}."),
        )
    })
}

/// The `kommune=` codes of an API request's query; refused as JSON when the
/// query cannot be read or a code is not a municipality's.
pub(crate) fn named_municipalities(raw: Option<&str>) -> Result<Vec<MunicipalityCode>, Refusal> {
    use axum::http::StatusCode;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| Refusal {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: "Adressen kan ikke læses.".into(),
        })?;
    pairs
        .iter()
        .filter(|(k, _)| k == "kommune")
        .map(|(_, value)| {
            MunicipalityCode::parse(value.trim()).map_err(|_| Refusal {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_query",
                message: format!(
                    "«{}» er ikke en kommunekode; skriv fx kommune=259.",
                    value.trim()
                ),
            })
        })
        .collect()
}

/// Whether an API query asks for CSV (`format=csv`) rather than JSON
/// (`format=json` or none); refused when `format` is anything else.
pub(crate) fn wants_csv(pairs: &[(String, String)]) -> Result<bool, Refusal> {
    let mut format = pairs.iter().filter(|(k, _)| k == "format");
    let csv = match format.next().map(|(_, v)| v.trim()) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(Refusal {
                status: axum::http::StatusCode::BAD_REQUEST,
                code: "invalid_query",
                message: format!("«format» skal være json eller csv; «{other}» er ingen af dem."),
            })
        }
    };
    if format.next().is_some() {
        return Err(Refusal {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: "«format» står mere end én gang i adressen; angiv den én gang.".into(),
        });
    }
    Ok(csv)
}

/// An API request refused: its status, stable code and Danish message.
pub(crate) struct Refusal {
    pub(crate) status: axum::http::StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        crate::api::error_response(self.status, self.code, self.message)
    }
}

/// The one municipality a request's `kommune=` names (or the reader's only
/// one), with the reader's scope of it: the savings and strategy APIs.
pub(crate) fn requested_municipality(
    user: &komhen_core::accounts::access::UserContext,
    raw: Option<&str>,
) -> Result<(MunicipalityCode, Scope), Refusal> {
    let named = named_municipalities(raw)?;
    let scope = one_municipality(user, &named)?;
    let code = scope.municipalities.first().copied().ok_or(Refusal {
        status: axum::http::StatusCode::BAD_REQUEST,
        code: "municipality_required",
        message: "Angiv kommunen med kommune=, fx kommune=259.".into(),
    })?;
    Ok((code, scope))
}
