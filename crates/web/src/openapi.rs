//! The OpenAPI document of every route under `/api/` (`GET
//! /api/v1/openapi.json`): generated with `utoipa` from the handlers'
//! `#[utoipa::path]` descriptions and the request and response types, so it
//! names what the handlers take and answer. Limits the server checks (the
//! length and form of a `batch_id`, a row's quantity and duration) are put
//! into it from the same named constants the checks use ([`Limits`]).
//!
//! Owns the document only: the routes are registered in `lib.rs`, their
//! rules live with their handlers. The descriptions are in Danish, for the
//! systems' vendors.

use crate::api::{
    AnswerValue, ErrorDetail, ErrorResponse, RegistrationBatchRequest, RegistrationBatchResponse,
    RegistrationRequest,
};
use crate::portal::api::{
    Correction, Format, MetricLine, MetricsPage, PublicPeriod, PublicPeriods, PublicSavings,
    TaskSaving,
};
use axum::http::StatusCode;
use axum::response::Response;
use komhen_core::intake::api::{BATCH_ID_PATTERN, MAX_BATCH_ID, MAX_ROWS};
use komhen_domain::registration::{MAX_DURATION_SECONDS, MAX_QUANTITY};
use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The push API's security scheme: a system's bearer token.
pub(crate) const SYSTEM_TOKEN: &str = "systemnoegle";
/// The read APIs' security scheme: a signed-in user's session cookie.
pub(crate) const SESSION: &str = "session";

/// Adds the two ways in: a system's bearer token, a user's session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                SYSTEM_TOKEN,
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "Systemnøglen, som kommunens tovholder laver under Systemer og API \
                             (`komhen_` og 64 hextegn). Nøglen bestemmer kommunen.",
                        ))
                        .build(),
                ),
            );
            components.add_security_scheme(
                SESSION,
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    crate::session::COOKIE,
                    "Sessionen fra et login på /log-ind (`POST /log-ind` med `login` og \
                     `password`). Svarer kun inden for brugerens adgang.",
                ))),
            );
        }
    }
}

/// Puts the limits the server checks into the schemas, from the constants
/// the checks use.
struct Limits;

fn property<'a>(
    openapi: &'a mut utoipa::openapi::OpenApi,
    schema: &str,
    property: &str,
) -> Option<&'a mut utoipa::openapi::schema::Object> {
    let components = openapi.components.as_mut()?;
    let RefOr::T(Schema::Object(object)) = components.schemas.get_mut(schema)? else {
        return None;
    };
    match object.properties.get_mut(property)? {
        RefOr::T(Schema::Object(field)) => Some(field),
        _ => None,
    }
}

impl Modify for Limits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(batch_id) = property(openapi, "RegistrationBatchRequest", "batch_id") {
            batch_id.min_length = Some(1);
            batch_id.max_length = Some(MAX_BATCH_ID);
            batch_id.pattern = Some(BATCH_ID_PATTERN.to_owned());
        }
        if let Some(components) = openapi.components.as_mut() {
            if let Some(RefOr::T(Schema::Object(batch))) =
                components.schemas.get_mut("RegistrationBatchRequest")
            {
                if let Some(RefOr::T(Schema::Array(rows))) =
                    batch.properties.get_mut("registrations")
                {
                    rows.max_items = Some(MAX_ROWS);
                }
            }
        }
        if let Some(quantity) = property(openapi, "RegistrationRequest", "quantity") {
            quantity.minimum = Some(1i64.into());
            quantity.maximum = Some(MAX_QUANTITY.into());
        }
        if let Some(duration) = property(openapi, "RegistrationRequest", "duration_seconds") {
            duration.minimum = Some(0i64.into());
            duration.maximum = Some(MAX_DURATION_SECONDS.into());
        }
    }
}

/// The parameters of `GET /api/v1/report`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the report reads its query itself (`ReportQuery::parse`)
pub(crate) struct ReportParams {
    /// Kommunekoden, fx 259. Kan udelades af den, der læser én kommune; en
    /// national læser kan udelade den (landet) eller nævne flere, adskilt af komma.
    kommune: Option<String>,
    /// Første dag, `ÅÅÅÅ-MM-DD` (eller `DD-MM-ÅÅÅÅ`). Udeladt: den seneste tælleperiode.
    fra: Option<String>,
    /// Sidste dag, `ÅÅÅÅ-MM-DD` (eller `DD-MM-ÅÅÅÅ`).
    til: Option<String>,
    /// Dimensionerne, der grupperes efter, adskilt af komma: fx `retning,kanal`
    /// (docs/reports.md har dem alle).
    grupper: Option<String>,
    /// Sammenligning: `aar` (året før), `ingen`, eller en periode `ÅÅÅÅ-MM-DD..ÅÅÅÅ-MM-DD`.
    sammenlign: Option<String>,
    /// Andelen af: `total` (standard, også tom) eller `gruppe` (den første
    /// dimensions gruppe).
    #[param(pattern = "^(|total|gruppe)$")]
    andel: Option<String>,
    /// Rækkernes orden: `naturlig` (standard, også tom) eller `antal`.
    #[param(pattern = "^(|naturlig|antal)$")]
    sortering: Option<String>,
    /// `ja`: median af varigheden.
    median: Option<YesNo>,
    /// `ja`: omkostning pr. række efter de gældende priser.
    omkostning: Option<YesNo>,
    /// `json` (standard) eller `csv`.
    format: Option<Format>,
}

/// Ja eller nej.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // the document's enum of `median=` and `omkostning=`
pub(crate) enum YesNo {
    Ja,
    Nej,
}

/// The parameters of `GET /api/v1/savings`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the scenario reads its query itself (`scenario_from_pairs`)
pub(crate) struct SavingsParams {
    /// Kommunekoden, fx 259 (kan udelades af den, der læser én kommune).
    #[param(minimum = 101, maximum = 999)]
    kommune: Option<i64>,
    /// Scenariets første dag, `ÅÅÅÅ-MM-DD` (sammen med `til`). Udeladt: den seneste tælleperiode.
    fra: Option<String>,
    /// Scenariets sidste dag, `ÅÅÅÅ-MM-DD`.
    til: Option<String>,
    /// Flytninger `FRA:TIL:PROCENT[:OPGAVE]`, fx `PRSNLG:SLVBTJN:30`; kan gentages.
    flyt: Option<Vec<String>>,
    /// Mål for den digitale andel `PROCENT:KANAL[:OPGAVE]`, fx `80:SLVBTJN`; kan gentages.
    maal: Option<Vec<String>>,
}

/// The parameters of `GET /api/v1/strategy`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by `requested_municipality`
pub(crate) struct StrategyParams {
    /// Kommunekoden, fx 259 (kan udelades af den, der læser én kommune).
    #[param(minimum = 101, maximum = 999)]
    kommune: Option<i64>,
}

/// Rapporten fra komhens rapportmotor (docs/reports.md).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // the answer is written by `tabular::report_json`; this describes it
pub(crate) struct ReportAnswer {
    /// Forespørgslen med alle værdier udfyldt, som par `[navn, værdi]`.
    query: Vec<Vec<String>>,
    /// Kommunerne i rapporten (tom: landet).
    municipalities: Vec<u16>,
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
    /// Sammenligningsperioden, når der sammenlignes.
    comparison: Option<DateRange>,
    dimensions: Vec<ReportDimension>,
    /// Ved gruppering efter et svar: hvor mange af henvendelserne, der blev spurgt.
    asked: Option<ReportAsked>,
    rows: Vec<ReportLine>,
    /// Hele rapporten som én række (uden nøgler).
    total: ReportLine,
    /// Med omkostning: kanaler, hvis henvendelser manglede en pris.
    unpriced: Vec<ReportUnpriced>,
    /// Med omkostning: om en brugt pris er en eksempelpris.
    example_prices: bool,
}

/// En periode.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct DateRange {
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
}

/// En dimension, der grupperes efter.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportDimension {
    code: String,
    label: String,
}

/// Spurgte ud af alle.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportAsked {
    asked: i64,
    all: i64,
}

/// En rapportrække.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportLine {
    /// Rækkens nøgle pr. dimension.
    keys: Vec<ReportKey>,
    /// Henvendelser.
    inquiries: i64,
    /// Registreringer.
    registrations: i64,
    /// Andel, 0–1.
    share: f64,
    mean_duration_seconds: Option<f64>,
    median_duration_seconds: Option<f64>,
    cost: Option<ReportCost>,
    comparison: Option<ReportComparison>,
}

/// En nøgle i en rapportrække.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportKey {
    dimension: String,
    code: String,
    label: String,
}

/// Omkostningen efter de gældende priser.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportCost {
    ore: i64,
    kroner: f64,
    unpriced_inquiries: i64,
}

/// Rækken i sammenligningsperioden.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportComparison {
    cost: Option<ReportCost>,
    inquiries: i64,
    share: f64,
    change: i64,
    change_percent: Option<f64>,
    share_change_points: f64,
}

/// En kanal uden pris.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReportUnpriced {
    channel: String,
    inquiries: i64,
}

/// The errors of the read APIs for signed-in users.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // the answers are made by `reports::api::Refusal` and the guard
pub(crate) enum ReaderErrors {
    /// En parameter kan ikke bruges (`invalid_query`), eller kommunen skal
    /// nævnes (`municipality_required`, `one_municipality`).
    #[response(status = 400)]
    BadQuery(ErrorResponse),
    /// Ikke logget ind (`not_signed_in`).
    #[response(status = 401)]
    NotSignedIn(ErrorResponse),
    /// Brugeren har ikke adgang til kommunens tal (`no_access`).
    #[response(status = 403)]
    NoAccess(ErrorResponse),
    /// Svaret kunne ikke beregnes (`internal`).
    #[response(status = 500)]
    Internal(ErrorResponse),
}

/// Every route under `/api/`, as OpenAPI 3.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "komhen API",
        description = "Kommunens egne systemer (kø-systemer, telefonsystemer, sagssystemer) \
            sender registreringer af henvendelser til komhen efter KOMHEN 2.0 med en \
            systemnøgle, som bestemmer kommunen. De offentliggjorte tal kan hentes af alle; \
            rapporter, besparelser og strategi af en bruger, der er logget ind, inden for \
            brugerens adgang. Alle fejl er JSON på dansk med en fast `code` pr. fejl, også \
            ukendte adresser (404) og metoder (405). Se docs/api.md.",
        license(name = "EUPL-1.2")
    ),
    paths(
        crate::api::create_registrations,
        crate::portal::api::api_periods,
        crate::portal::api::api_metrics,
        crate::portal::api::api_savings,
        crate::reports::api::api_report,
        crate::savings::api,
        crate::strategy::api,
        show_openapi
    ),
    components(schemas(
        RegistrationBatchRequest,
        RegistrationRequest,
        AnswerValue,
        RegistrationBatchResponse,
        ErrorResponse,
        ErrorDetail,
        PublicPeriods,
        PublicPeriod,
        Correction,
        MetricsPage,
        MetricLine,
        PublicSavings,
        TaskSaving,
        Format,
        YesNo,
        ReportAnswer,
        DateRange,
        ReportDimension,
        ReportAsked,
        ReportLine,
        ReportKey,
        ReportCost,
        ReportComparison,
        ReportUnpriced
    )),
    modifiers(&SecuritySchemes, &Limits),
    tags(
        (name = "registreringer", description = "Registreringer fra kommunens systemer (systemnøgle)"),
        (name = "offentlige tal", description = "De offentliggjorte tal (uden login)"),
        (name = "tal for brugere", description = "Rapporter, besparelser og strategi (logget ind)"),
        (name = "dokumentation", description = "Denne beskrivelse af API'et")
    )
)]
pub(crate) struct ApiDoc;

/// This document: the API as OpenAPI 3.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "dokumentation",
    operation_id = "show_openapi",
    summary = "Dette dokument: API'et beskrevet som OpenAPI 3",
    responses((status = 200, description = "OpenAPI-dokumentet.", content_type = "application/json"))
)]
pub(crate) async fn show_openapi() -> Response {
    crate::api::json_response(StatusCode::OK, &ApiDoc::openapi())
}
