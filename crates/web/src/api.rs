//! The JSON API under `/api/v1`: a municipality's systems push batches of
//! registrations with a bearer token (`POST /api/v1/registrations`), and
//! the OpenAPI document describing every API route is generated from the
//! request and response types here and at the other API handlers
//! (`crate::openapi`, `GET /api/v1/openapi.json`).
//!
//! Owns the HTTP side only: the [`SystemAuth`] extractor (the one place a
//! system route is let through: the token decides, and it alone names the
//! municipality), the JSON types, status codes and headers. Every rule of a
//! batch lives in `komhen_core::intake::api`, of a token in
//! `komhen_core::setup::systems`. Must never read or set a cookie: browsers do not
//! send bearer tokens by themselves, so these routes need no CSRF token and
//! are exempt from the cross-site guard (`session::refuse_cross_site_posts`).
//! Every error is JSON in Danish with a stable machine-readable `code`, also
//! the router's own under `/api/` ([`json_errors`]). The
//! doc comments of the JSON types are the OpenAPI document's descriptions,
//! so they are in Danish, for the systems' vendors.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use komhen_core::intake::api::{self, Field, IntakeBatch, IntakeRow, Received, Refused, RowError};
use komhen_core::setup::systems;
use komhen_store::SystemTokenRow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

// --- the JSON types -------------------------------------------------------------

/// En levering af registreringer fra ét af kommunens systemer. Alle rækker
/// gemmes, eller ingen.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "batch_id": "koe-borgerservice-2025-10-21T10",
    "registrations": [{
        "unit": "259borgerservice",
        "task": "23.05.10",
        "channel": "PRSNLG",
        "inquiry_type": "VEJL",
        "completion": "STRAKS",
        "form": false,
        "time": "2025-10-21T10:15:00+02:00",
        "duration_seconds": 12.5
    }, {
        "task": "23.09.02",
        "channel": "TLFIND",
        "time": "2025-10-21 10:20",
        "quantity": 3,
        "answers": { "Køn": "Kvinde" }
    }]
}))]
pub(crate) struct RegistrationBatchRequest {
    /// Systemets eget id for leveringen, unikt i kommunen: 1–100 tegn uden
    /// styretegn og ikke kun mellemrum (mellemrum før og efter gemmes ikke).
    /// Sendes den samme levering igen, gemmes intet, og svaret er den
    /// tidligere levering; det samme `batch_id` med andre rækker afvises
    /// (409). Uden `batch_id` kendes en levering på indholdet alene.
    batch_id: Option<String>,
    /// Registreringerne: mindst 1, højst 10.000.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    registrations: Vec<RegistrationRequest>,
}

/// Én registrering med kodebogens felter. Kommunen bestemmes af
/// systemnøglen, aldrig af registreringen.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistrationRequest {
    /// Enhedens login (fx `259sek`). Udeladt, `null` eller tom: ingen enhed.
    unit: Option<String>,
    /// Opgaven: KLE-nummer (`27.24.00`), KLE-gruppe (`15.20`) eller
    /// KOMHEN-kode (`29.03.99`).
    #[serde(default)]
    #[schema(required = true, example = "23.09.02")]
    task: String,
    /// Kanalkode med retning, fx `TLFIND`, `PRSNLG`, `EMLIND`, `DOKUD`.
    #[serde(default)]
    #[schema(required = true, example = "TLFIND")]
    channel: String,
    /// Henvendelsestype: `OPRET`, `INFO`, `STATUS`, `VEJL`, `SLVBTJN` eller `FEJL`.
    #[schema(example = "VEJL")]
    inquiry_type: Option<String>,
    /// Afslutning: `STRAKS` eller `HOLD`.
    #[schema(example = "STRAKS")]
    completion: Option<String>,
    /// Fulgte en blanket med? Gemmes kun på kanaler, hvor det giver mening.
    form: Option<bool>,
    /// Tidspunktet: ISO 8601 med tidszone (`2025-10-21T10:15:00+02:00`,
    /// `2025-10-21T08:15:00Z`) eller dansk tid (`2025-10-21 10:15`).
    #[serde(default)]
    #[schema(required = true, example = "2025-10-21T10:15:00+02:00")]
    time: String,
    /// Antal henvendelser, rækken står for (1–100.000.000). Standard 1.
    quantity: Option<i64>,
    /// Registreringens varighed i sekunder (0–86.400).
    duration_seconds: Option<f64>,
    /// Svar på kommunens spørgsmål, med spørgsmålets tekst eller kode som
    /// nøgle, fx `{"Køn": "Kvinde"}`.
    answers: Option<BTreeMap<String, AnswerValue>>,
}

/// Et svar: svarmulighedens tekst eller kode, eller et helt tal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum AnswerValue {
    Text(String),
    Number(i64),
}

/// En gemt levering (201), eller en levering, der var gemt før (200).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct RegistrationBatchResponse {
    /// komhens id for leveringen.
    pub(crate) batch: i64,
    /// Systemets `batch_id`, hvis det sendte et.
    pub(crate) batch_id: Option<String>,
    /// Kommunen, registreringerne er gemt for (systemnøglens).
    pub(crate) municipality: u16,
    /// Gemte rækker.
    pub(crate) rows: i64,
    /// Henvendelser, rækkerne står for (summen af `quantity`).
    pub(crate) inquiries: i64,
    /// `true`, når leveringen var gemt før: intet nyt er gemt.
    pub(crate) duplicate: bool,
    /// Hvornår leveringen blev gemt (RFC 3339).
    pub(crate) stored_at: String,
    /// `true`, når rækker ligger i en offentliggjort periode: leveringen er
    /// gemt, men tæller først med, når den nationale administrator har
    /// godkendt den som rettelse (svaret er da 202).
    pub(crate) held: bool,
    /// Hvorfor leveringen venter, når `held` er `true`.
    pub(crate) note: Option<String>,
}

/// Hvorfor intet blev gemt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErrorResponse {
    /// Fejlene, højst 1.000.
    pub(crate) errors: Vec<ErrorDetail>,
    /// Antal fejl i alt.
    pub(crate) error_count: usize,
}

/// Én fejl: hvor (rækkens nummer fra 0 og feltet), hvad (en fast kode) og
/// en dansk forklaring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// Rækkens plads i `registrations`, fra 0; `null` for leveringen som helhed.
    pub(crate) index: Option<usize>,
    /// Feltet (`channel`, `answers.Køn`); `null` når fejlen ikke hører til ét felt.
    pub(crate) field: Option<String>,
    /// Fast kode til systemet, fx `unknown_channel`, `missing_task`, `invalid_time`.
    pub(crate) code: String,
    /// Hvad der er galt, og hvad der forventes, på dansk.
    pub(crate) message: String,
}

// --- errors as responses ---------------------------------------------------------------

fn detail(field: Option<&str>, code: &str, message: impl Into<String>) -> ErrorDetail {
    ErrorDetail {
        index: None,
        field: field.map(str::to_owned),
        code: code.into(),
        message: message.into(),
    }
}

/// A JSON answer that is never stored by a cache.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refusal(status: StatusCode, errors: Vec<ErrorDetail>) -> Response {
    let error_count = errors.len();
    json_response(
        status,
        &ErrorResponse {
            errors,
            error_count,
        },
    )
}

fn one_error(status: StatusCode, error: ErrorDetail) -> Response {
    refusal(status, vec![error])
}

/// One error as every API route answers it: `{"errors": [{"code", "message",
/// ...}], "error_count": 1}`.
pub(crate) fn error_response(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
) -> Response {
    one_error(status, detail(None, code, message))
}

/// Whether a response already carries a JSON body.
fn is_json_response(response: &Response) -> bool {
    is_json(response.headers())
}

/// The error answers of the whole `/api/` tree in the API's shape: an
/// answer komhen's router or guard gives without a handler of the API (no
/// such route, a method the route does not take, a role without access, a
/// page's error) becomes `{"errors": [{"code", "message"}], "error_count": 1}`
/// with a stable code, keeping the status and its headers (`Retry-After`;
/// the router adds `Allow` to a 405 outside this layer). Answers that are JSON already pass untouched, and so does
/// everything outside `/api/` (the pages keep their HTML error page).
pub(crate) async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json_response(&response) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (
            "not_found",
            format!(
                "Adressen {path} findes ikke i API'et. API'ets adresser står i \
                 /api/v1/openapi.json."
            ),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            // The router adds `Allow` after this layer: the message points to it.
            format!(
                "Adressen {path} tager ikke imod {method}. Headeren «Allow» nævner de metoder, \
                 den tager imod."
            ),
        ),
        StatusCode::FORBIDDEN => (
            "no_access",
            "Din rolle giver ikke adgang til disse tal. Kontakt kommunens tovholder, hvis du \
             mener, du skal have adgang."
                .to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            "Indholdet er større, end API'et tager imod her.".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Indholdet er ikke sendt i en form, API'et tager imod her.".to_owned(),
        ),
        s if s.is_server_error() => (
            "internal",
            "API'et kunne ikke svare lige nu. Prøv igen om lidt. Fejlen er skrevet i systemets \
             log."
                .to_owned(),
        ),
        _ => (
            "bad_request",
            format!(
                "Forespørgslen kan ikke læses ({} {}).",
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            ),
        ),
    };
    let mut answer = error_response(status, code, message);
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = response.headers().get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// 401 with the challenge RFC 6750 asks for.
fn unauthorized(code: &str, message: &str) -> Response {
    let mut response = one_error(StatusCode::UNAUTHORIZED, detail(None, code, message));
    let challenge = if code == "missing_token" {
        r#"Bearer realm="komhen""#
    } else {
        r#"Bearer realm="komhen", error="invalid_token""#
    };
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// 500: the error is logged with its cause; the client reads a generic message.
fn internal(error: &(dyn std::error::Error + 'static)) -> Response {
    crate::error::api_failure(error, || {
        crate::error::log_internal(error);
        one_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            detail(
                None,
                "internal_error",
                "Leveringen kunne ikke gemmes lige nu; intet er gemt. Prøv igen om lidt. Fejlen \
                 er skrevet i komhens log.",
            ),
        )
    })
}

// --- the token ---------------------------------------------------------------------

/// A system with a live token: the one way into a system route. The token
/// comes from the `Authorization: Bearer` header only, never a cookie, and
/// its row names the municipality the request may write to.
pub(crate) struct SystemAuth(pub(crate) SystemTokenRow);

impl FromRequestParts<AppState> for SystemAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            });
        let Some(presented) = presented else {
            return Err(unauthorized(
                "missing_token",
                "Systemnøglen mangler. Send den i headeren «Authorization: Bearer <nøgle>». \
                 Kommunens tovholder laver nøgler under Systemer og API.",
            ));
        };
        match systems::authenticate(state.store.as_ref(), presented, chrono::Utc::now()).await {
            Ok(Some(token)) => Ok(Self(token)),
            Ok(None) => Err(unauthorized(
                "invalid_token",
                "Systemnøglen er ukendt eller tilbagekaldt. Bed kommunens tovholder om en ny \
                 under Systemer og API.",
            )),
            Err(e) => Err(internal(&e)),
        }
    }
}

// --- POST /api/v1/registrations ------------------------------------------------------

/// Whether the request says its body is JSON (`application/json`, with or
/// without parameters, or a `+json` type).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| {
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        })
}

fn too_large() -> Response {
    one_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        detail(
            None,
            "body_too_large",
            format!(
                "Leveringen er større end {} MB; intet er gemt. Del den i flere leveringer med \
                 hver sit batch_id.",
                api::MAX_BODY_BYTES / (1024 * 1024)
            ),
        ),
    )
}

/// What a JSON value at this path must be, in Danish.
fn expected_at(field: &str) -> &'static str {
    match field {
        "" => "et JSON-objekt med «registrations»",
        "registrations" => "en liste af registreringer",
        "batch_id" | "unit" | "task" | "channel" | "inquiry_type" | "completion" | "time" => {
            "en tekst"
        }
        "form" => "true, false eller null",
        "quantity" => "et helt tal fra 1, fx 1",
        "duration_seconds" => "et tal (sekunder), fx 12.5",
        "answers" => "et objekt med spørgsmålenes tekst eller kode som nøgler",
        f if f.starts_with("answers.") => "en tekst eller et helt tal",
        _ => "et objekt med registreringens felter",
    }
}

/// The allowed values of a numeric field, in Danish; None for a field
/// that is not a number.
fn number_range(field: &str) -> Option<String> {
    use komhen_domain::registration::{MAX_DURATION_SECONDS, MAX_QUANTITY};
    let number = |n: i64| komhen_ingest::summary::danish_number(n.unsigned_abs());
    match field {
        "quantity" => Some(format!("et helt tal fra 1 til {}", number(MAX_QUANTITY))),
        "duration_seconds" => Some(format!(
            "et tal fra 0 til {} (sekunder)",
            number(MAX_DURATION_SECONDS)
        )),
        f if f.starts_with("answers.") => Some(format!(
            "en tekst eller et helt tal fra -{} til {}",
            number(i64::MAX),
            number(i64::MAX)
        )),
        _ => None,
    }
}

/// Where in the body a deserialisation error is: the row's index (in
/// `registrations`) and the field (the row's own, without the leading
/// `registrations`).
fn location(error: &serde_path_to_error::Error<serde_json::Error>) -> (Option<usize>, String) {
    use serde_path_to_error::Segment;
    let mut index = None;
    let mut fields: Vec<String> = Vec::new();
    for segment in error.path().iter() {
        match segment {
            Segment::Seq { index: i } if fields.len() == 1 => index = Some(*i),
            Segment::Seq { index: i } => fields.push(i.to_string()),
            Segment::Map { key } => fields.push(key.clone()),
            Segment::Enum { variant } => fields.push(variant.clone()),
            Segment::Unknown => {}
        }
    }
    let field = if index.is_some() {
        fields.get(1..).map(|f| f.join(".")).unwrap_or_default()
    } else {
        fields.join(".")
    };
    (index, field)
}

/// A number in the body that no field can hold (`1e400`, an integer past
/// 64 bits), as an error at the row and field it concerns naming the
/// field's range; None when the error is another.
fn number_error(error: &serde_path_to_error::Error<serde_json::Error>) -> Option<ErrorDetail> {
    let inner = error.inner().to_string();
    let beyond_float = inner.starts_with("number out of range");
    // An integer past i64 reaches an integer field as a u64 or a float.
    let beyond_integer = inner.starts_with("invalid value: integer")
        || inner
            .strip_prefix("invalid type: floating point `")
            .and_then(|rest| rest.split('`').next())
            .and_then(|n| n.parse::<f64>().ok())
            .is_some_and(|n| n.abs() >= i64::MAX as f64);
    if !beyond_float && !beyond_integer {
        return None;
    }
    let (index, field) = location(error);
    let range = number_range(&field)?;
    Some(ErrorDetail {
        index,
        field: Some(field.clone()),
        code: "number_out_of_range".into(),
        message: format!("tallet i «{field}» er uden for det tilladte: {range}"),
    })
}

/// A body that is JSON but not of the request's shape, as an error at the
/// row and field it concerns.
fn shape_error(error: &serde_path_to_error::Error<serde_json::Error>) -> ErrorDetail {
    let (index, field) = location(error);
    let inner = error.inner().to_string();
    if let Some(unknown) = inner
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        let message = if matches!(unknown, "municipality" | "kommune" | "municipality_code") {
            "kommunen bestemmes af systemnøglen og sendes ikke med. Fjern feltet".to_owned()
        } else if index.is_some() {
            format!(
                "feltet «{unknown}» findes ikke. En registrering har felterne unit, task, \
                 channel, inquiry_type, completion, form, time, quantity, duration_seconds og \
                 answers"
            )
        } else {
            format!("feltet «{unknown}» findes ikke. En levering har felterne batch_id og registrations")
        };
        // The path ends at the unknown key itself.
        return ErrorDetail {
            index,
            field: Some(if field.is_empty() {
                unknown.to_owned()
            } else {
                field
            }),
            code: "unknown_field".into(),
            message,
        };
    }
    if let Some(twice) = inner
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split('`').next())
    {
        return ErrorDetail {
            index,
            field: Some(twice.to_owned()),
            code: "duplicate_field".into(),
            message: format!(
                "feltet «{twice}» står mere end én gang{}. Send hvert felt én gang",
                if index.is_some() {
                    " i registreringen"
                } else {
                    ""
                }
            ),
        };
    }
    let shown = if field.is_empty() && index.is_none() {
        "indholdet".to_owned()
    } else if field.is_empty() {
        "registreringen".to_owned()
    } else {
        format!("«{field}»")
    };
    let lookup = if field.is_empty() && index.is_some() {
        "registration"
    } else {
        field.as_str()
    };
    ErrorDetail {
        index,
        field: (!field.is_empty()).then_some(field.clone()),
        code: "invalid_type".into(),
        message: format!(
            "{shown} skal være {}",
            number_range(lookup).unwrap_or_else(|| expected_at(lookup).to_owned())
        ),
    }
}

fn invalid_json(error: &serde_json::Error) -> Response {
    one_error(
        StatusCode::BAD_REQUEST,
        detail(
            None,
            "invalid_json",
            format!(
                "Indholdet er ikke gyldig JSON: fejl på linje {}, tegn {}. Tjek anførselstegn, \
                 kommaer og parenteser.",
                error.line(),
                error.column()
            ),
        ),
    )
}

fn to_intake(request: RegistrationBatchRequest) -> IntakeBatch {
    IntakeBatch {
        batch_id: request.batch_id,
        rows: request
            .registrations
            .into_iter()
            .map(|r| IntakeRow {
                unit: r.unit,
                task: r.task,
                channel: r.channel,
                inquiry_type: r.inquiry_type,
                completion: r.completion,
                form: r.form,
                time: r.time,
                quantity: r.quantity,
                duration_seconds: r.duration_seconds,
                answers: r
                    .answers
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            AnswerValue::Text(text) => text,
                            AnswerValue::Number(n) => n.to_string(),
                        };
                        (k, v)
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn row_error(error: RowError) -> ErrorDetail {
    ErrorDetail {
        index: error.index,
        field: error.field.as_ref().map(Field::name),
        code: error.code,
        message: error.message,
    }
}

fn received(system: &SystemTokenRow, r: Received) -> Response {
    let held = r.batch.status == komhen_store::BatchStatus::Held;
    let status = if r.duplicate {
        StatusCode::OK
    } else if held {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    json_response(
        status,
        &RegistrationBatchResponse {
            batch: r.batch.id.0,
            batch_id: (!r.batch.file_name.is_empty()).then(|| r.batch.file_name.clone()),
            municipality: system.municipality.get(),
            rows: r.rows,
            inquiries: r.inquiries,
            duplicate: r.duplicate,
            stored_at: r.batch.created_at.to_rfc3339(),
            held,
            note: held.then(|| r.batch.errors.clone()),
        },
    )
}

/// Stores a batch of registrations for the token's municipality: all rows
/// or none. (The `summary` and `description` below are the document's text.)
#[utoipa::path(
    post,
    path = "/api/v1/registrations",
    tag = "registreringer",
    operation_id = "create_registrations",
    summary = "Gem en levering af registreringer for nøglens kommune",
    description = "Hver række tjekkes efter samme regler som en kodebogsfil, der indlæses; \
        er der én fejl, gemmes intet, og svaret lister hver fejl med række (`index`), felt og \
        kode. En levering, der sendes igen (samme indhold og samme `batch_id`), gemmes ikke to \
        gange: svaret er 200 med den tidligere levering.",
    request_body(
        content = RegistrationBatchRequest,
        content_type = "application/json",
        description = "Højst 10.000 registreringer og 5 MB."
    ),
    responses(
        (status = 201, description = "Leveringen er gemt.", body = RegistrationBatchResponse),
        (status = 202, description = "Leveringen er gemt, men rækker ligger i en offentliggjort periode: den tæller først med, når den nationale administrator har godkendt den som rettelse (`held`).", body = RegistrationBatchResponse),
        (status = 200, description = "Leveringen var gemt før; intet nyt er gemt.", body = RegistrationBatchResponse),
        (status = 400, description = "Indholdet er ikke gyldig JSON (`invalid_json`).", body = ErrorResponse),
        (status = 401, description = "Systemnøglen mangler (`missing_token`), er ukendt eller tilbagekaldt (`invalid_token`).", body = ErrorResponse,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"komhen\"`"))),
        (status = 409, description = "`batch_id` er brugt til en anden levering (`batch_id_reused`), eller en kopi af leveringen gemmes netop nu (`batch_in_progress`; prøv igen efter `Retry-After` sekunder).", body = ErrorResponse),
        (status = 413, description = "Over 5 MB (`body_too_large`) eller over 10.000 registreringer (`too_many_rows`).", body = ErrorResponse),
        (status = 415, description = "Indholdet er ikke sendt som `application/json` (`unsupported_media_type`).", body = ErrorResponse),
        (status = 422, description = "Fejl i registreringerne: intet er gemt. Hver fejl med række (`index`), felt og kode; `implausible_batch`, når rækkerne tilsammen står for flere henvendelser, end en levering troværdigt kan.", body = ErrorResponse),
    ),
    security(("systemnoegle" = []))
)]
#[tracing::instrument(
    level = "debug",
    skip_all,
    fields(municipality = %system.municipality, system = system.id.0)
)]
pub(crate) async fn create_registrations(
    State(state): State<AppState>,
    SystemAuth(system): SystemAuth,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !is_json(&headers) {
        return one_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail(
                None,
                "unsupported_media_type",
                "Send registreringerne som JSON med headeren «Content-Type: application/json».",
            ),
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > api::MAX_BODY_BYTES) {
        return too_large();
    }
    let bytes: Bytes = match axum::body::to_bytes(body, api::MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    // serde reads a struct from an array too; a batch is an object only.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            Ok(_) => one_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                detail(
                    None,
                    "invalid_type",
                    format!("indholdet skal være {}", expected_at("")),
                ),
            ),
            Err(e) => invalid_json(&e),
        };
    }
    let mut json = serde_json::Deserializer::from_slice(&bytes);
    let request: RegistrationBatchRequest = match serde_path_to_error::deserialize(&mut json) {
        Ok(request) => match json.end() {
            Ok(()) => request,
            Err(e) => return invalid_json(&e),
        },
        Err(e) => {
            return match number_error(&e) {
                Some(error) => one_error(StatusCode::UNPROCESSABLE_ENTITY, error),
                None if e.inner().is_data() => {
                    one_error(StatusCode::UNPROCESSABLE_ENTITY, shape_error(&e))
                }
                None => invalid_json(e.inner()),
            }
        }
    };
    let batch = to_intake(request);
    match api::receive(state.store.as_ref(), &system, &batch).await {
        Ok(r) => received(&system, r),
        Err(Refused::Invalid { errors, total }) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ErrorResponse {
                errors: errors.into_iter().map(row_error).collect(),
                error_count: total,
            },
        ),
        Err(Refused::TooManyRows(n)) => one_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            detail(
                Some("registrations"),
                "too_many_rows",
                format!(
                    "Leveringen har {n} registreringer; højst {} tages imod ad gangen. Intet er \
                     gemt. Del den i flere leveringer med hver sit batch_id.",
                    api::MAX_ROWS
                ),
            ),
        ),
        Err(Refused::InProgress) => {
            let mut response = one_error(
                StatusCode::CONFLICT,
                detail(
                    None,
                    "batch_in_progress",
                    "En kopi af leveringen gemmes netop nu. Send den igen om lidt: er den \
                     gemt, er svaret den gemte levering.",
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
        Err(Refused::BatchIdReused(earlier)) => one_error(
            StatusCode::CONFLICT,
            row_error(api::batch_id_reused(&earlier)),
        ),
        // A rule of the batch pipeline (an implausible total): nothing stored.
        Err(Refused::Core(komhen_core::CoreError::Invalid(message))) => one_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            detail(Some("registrations"), "implausible_batch", message),
        ),
        Err(Refused::Core(e)) => internal(&e),
    }
}
