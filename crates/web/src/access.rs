//! The guard in front of every personal-user route: the one place where
//! a request for a set-up or administration page is let through or not.
//!
//! Each route is registered with an [`Access`] level ([`Routes::add`]). The
//! guard finds the user's session, reads the municipality (`{kode}`) and
//! unit (`{enhed}`) the route names, asks `komhen_core::accounts::access::allows`,
//! checks the CSRF token of every POST, and hands the handler an
//! [`Authorized`] with what it may act on. A handler can only get an
//! `Authorized` from the guard, so it cannot forget a check. Anonymous
//! requests go to the login page; signed-in users without the right get
//! a 403 page. The route table ([`Routes::table`]) is what the
//! authorization matrix test walks.

use crate::error::NotInRoute;
use crate::session::COOKIE;
use crate::{AppState, WebError};
use axum::extract::{DefaultBodyLimit, FromRequestParts, RawPathParams, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use komhen_core::accounts::access::{allows, allows_hotline, Access, UnitScope, UserContext};
use komhen_core::accounts::auth;
use komhen_domain::{HotlineId, MunicipalityCode, UnitId};
use komhen_store::{HotlineRow, MunicipalityRow, SessionRow, UnitRow};

/// What the guard let through: the user, their session (for the CSRF token
/// of the forms the page renders), and the municipality and unit the
/// route names, both checked to exist and to be within the user's scope.
#[derive(Clone)]
pub(crate) struct Authorized {
    pub(crate) user: UserContext,
    pub(crate) session: SessionRow,
    pub(crate) municipality: Option<MunicipalityRow>,
    pub(crate) unit: Option<UnitRow>,
    /// The joint hotline a hotline route names (`{linje}`), checked.
    pub(crate) hotline: Option<HotlineRow>,
}

impl Authorized {
    /// The hotline of a hotline route (the guard has checked it).
    pub(crate) fn hotline(&self) -> Result<&HotlineRow, WebError> {
        self.hotline
            .as_ref()
            .ok_or_else(|| WebError::Internal(Box::new(NotInRoute("linje"))))
    }

    /// Whether the user may set this route's hotline up.
    pub(crate) fn can_set_up_hotline(&self) -> bool {
        self.hotline
            .as_ref()
            .is_some_and(|h| self.user.can_set_up_hotline(h.id))
    }

    /// The municipality of a municipal route (the guard has checked it).
    pub(crate) fn municipality(&self) -> Result<&MunicipalityRow, WebError> {
        self.municipality
            .as_ref()
            .ok_or_else(|| WebError::Internal(Box::new(NotInRoute("kommune"))))
    }

    pub(crate) fn code(&self) -> Result<MunicipalityCode, WebError> {
        self.municipality().map(|m| m.code)
    }

    /// The unit of a unit route (the guard has checked it).
    pub(crate) fn unit(&self) -> Result<&UnitRow, WebError> {
        self.unit
            .as_ref()
            .ok_or_else(|| WebError::Internal(Box::new(NotInRoute("enhed"))))
    }

    /// Whether the user may change the set-up of this route's municipality
    /// (pages show their forms only then; the POST routes are guarded).
    pub(crate) fn can_set_up(&self) -> bool {
        self.municipality
            .as_ref()
            .is_some_and(|m| self.user.can_set_up(m.code))
    }

    pub(crate) fn scope(&self) -> UnitScope {
        match &self.municipality {
            Some(m) => self.user.unit_scope(m.code),
            None => UnitScope::None,
        }
    }

    pub(crate) fn csrf(&self) -> &str {
        &self.session.csrf_token
    }
}

impl FromRequestParts<AppState> for Authorized {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, WebError> {
        // Only the guard puts it there: a route registered without one fails
        // closed (and the matrix test finds it).
        parts
            .extensions
            .get::<Authorized>()
            .cloned()
            .ok_or(WebError::Forbidden)
    }
}

/// One registered route: its method, its path and what it requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// The application's routes as they are registered, each with its access
/// level, so the router and the route table cannot disagree.
pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
    state: AppState,
}

impl Routes {
    pub(crate) fn new(state: AppState) -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
            state,
        }
    }

    /// Registers a GET route.
    pub(crate) fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, axum::routing::get(handler))
    }

    /// Registers a POST route.
    pub(crate) fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, axum::routing::post(handler))
    }

    /// Registers a POST route that takes a file upload of up to `limit`
    /// bytes (every other body is limited to axum's 2 MB).
    pub(crate) fn upload<H, T>(
        self,
        path: &'static str,
        access: Access,
        handler: H,
        limit: usize,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = axum::routing::post(handler).layer(DefaultBodyLimit::max(limit));
        self.add("POST", path, access, route)
    }

    /// Registers one method of a path. Public routes pass through, unit
    /// routes are decided by the `UnitSession` extractor, system routes by
    /// the `api::SystemAuth` extractor (a bearer token, never a session);
    /// every other level goes through [`guard`]. The same path may carry another method with
    /// another level (a page anyone in the municipality reads, a form only
    /// its coordinator posts).
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Self {
        let route = if matches!(access, Access::Public | Access::Unit | Access::System) {
            route
        } else {
            route.route_layer(axum::middleware::from_fn_with_state(
                (self.state.clone(), access),
                guard,
            ))
        };
        self.router = self.router.route(path, route);
        self.table.push(RouteInfo {
            method,
            path,
            access,
        });
        self
    }

    pub(crate) fn finish(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

/// Where an anonymous request goes: the login page, back here afterwards;
/// a program calling the API gets 401 and a JSON error instead of a page.
fn to_login(request: &Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return crate::api::error_response(
            axum::http::StatusCode::UNAUTHORIZED,
            "not_signed_in",
            "Log ind først: dette API svarer en bruger med en session (cookien fra /log-ind).",
        );
    }
    let back = if request.method() == Method::GET {
        request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default()
    } else {
        String::new()
    };
    if back.is_empty() {
        Redirect::to("/log-ind").into_response()
    } else {
        Redirect::to(&format!("/log-ind?tilbage={}", encode(&back))).into_response()
    }
}

/// Percent-encodes a path for a query parameter.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The largest form the guard reads to find its CSRF token.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The guard (see the module documentation).
async fn guard(
    State((state, access)): State<(AppState, Access)>,
    request: Request,
    next: Next,
) -> Response {
    match check(&state, access, request).await {
        Ok(Ok(request)) => next.run(request).await,
        Ok(Err(response)) => response,
        Err(error) => error.into_response(),
    }
}

/// Lets the request through (with [`Authorized`] attached) or answers it.
async fn check(
    state: &AppState,
    access: Access,
    request: Request,
) -> Result<Result<Request, Response>, WebError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let jar = CookieJar::from_headers(request.headers());
    let found = match jar.get(COOKIE) {
        Some(cookie) => auth::user_session(store, cookie.value(), now).await?,
        None => None,
    };
    let Some((session, user)) = found else {
        return Ok(Err(to_login(&request)));
    };

    let (mut parts, body) = request.into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, state)
        .await
        .ok();
    let param = |name: &str| {
        params.as_ref().and_then(|p| {
            p.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, v)| v.to_owned())
        })
    };
    let mut municipality = None;
    if let Some(code) = param("kode") {
        let code = MunicipalityCode::parse(&code).map_err(|_| WebError::NotFound)?;
        municipality = Some(
            store
                .get_municipality(code)
                .await?
                .ok_or(WebError::NotFound)?,
        );
    }
    let mut unit = None;
    if let (Some(id), Some(m)) = (param("enhed"), &municipality) {
        let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
        // A unit of another municipality is not found here.
        unit = Some(
            store
                .get_unit(m.code, UnitId(id))
                .await?
                .ok_or(WebError::NotFound)?,
        );
    }
    let mut hotline = None;
    if let Some(id) = param("linje") {
        let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
        hotline = Some(
            store
                .get_hotline(HotlineId(id))
                .await?
                .ok_or(WebError::NotFound)?,
        );
    }
    let allowed = match (&hotline, access) {
        (Some(h), _) => allows_hotline(Some(&user), access, h.id),
        (None, Access::ReadHotline | Access::SetUpHotline) => false,
        (None, _) => allows(
            Some(&user),
            access,
            municipality.as_ref().map(|m| m.code),
            unit.as_ref().map(|u| u.id),
        ),
    };
    if !allowed {
        return Err(WebError::NoAccess);
    }

    let mut request = Request::from_parts(parts, body);
    if request.method() == Method::POST {
        let (submitted, rebuilt) = csrf_of(request).await?;
        request = rebuilt;
        if !auth::csrf_matches(&session, &submitted) {
            return Err(WebError::Forbidden);
        }
    }
    request.extensions_mut().insert(Authorized {
        user,
        session,
        municipality,
        unit,
        hotline,
    });
    Ok(Ok(request))
}

/// The CSRF token of a POST: the `csrf` field of a urlencoded form, else
/// the first part of a multipart upload (named `csrf`, as the upload forms
/// put it first), else the `X-CSRF-Token` header. Never the address: a
/// token there would land in the browser's history, in logs and in the
/// Referer header. The request is rebuilt with its body intact; of an
/// upload only its first part is read here, the file stays a stream.
async fn csrf_of(request: Request) -> Result<(String, Request), WebError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let from_header = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| WebError::TooLarge)?;
        let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
            .or(from_header)
            .unwrap_or_default();
        return Ok((
            token,
            Request::from_parts(parts, axum::body::Body::from(bytes)),
        ));
    }
    if let Ok(boundary) = multer::parse_boundary(&content_type) {
        let (parts, body) = request.into_parts();
        let (token, body) = first_part_csrf(body, &boundary).await;
        return Ok((
            token.or(from_header).unwrap_or_default(),
            Request::from_parts(parts, body),
        ));
    }
    Ok((from_header.unwrap_or_default(), request))
}

/// The most the guard reads of an upload to find its first part.
const CSRF_PART_LIMIT: usize = 8 * 1024;

/// Reads an upload's body until its first part is whole (at most
/// [`CSRF_PART_LIMIT`] bytes) and gives that part's value when it is the
/// `csrf` field, with a body that replays what was read and then streams
/// the rest untouched.
async fn first_part_csrf(
    body: axum::body::Body,
    boundary: &str,
) -> (Option<String>, axum::body::Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut read: Vec<u8> = Vec::new();
    let mut token = None;
    let mut failed = None;
    while read.len() < CSRF_PART_LIMIT {
        if let Some(found) = csrf_part(&read, boundary) {
            token = found;
            break;
        }
        match stream.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(error)) => {
                failed = Some(error);
                break;
            }
            None => break,
        }
    }
    if token.is_none() {
        token = csrf_part(&read, boundary).flatten();
    }
    let head = futures_util::stream::iter(
        std::iter::once(Ok::<_, axum::Error>(axum::body::Bytes::from(read))).chain(failed.map(Err)),
    );
    (token, axum::body::Body::from_stream(head.chain(stream)))
}

/// `Some(value)` when `read` holds the whole first part and it is named
/// `csrf`, `Some(None)` when it holds the whole first part and it is not,
/// `None` while the first part is not yet whole.
#[allow(clippy::option_option)]
fn csrf_part(read: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    let Some(rest) = read.strip_prefix(opening.as_bytes()) else {
        return (read.len() >= opening.len()).then_some(None);
    };
    let headers_end = memchr::memmem::find(rest, b"\r\n\r\n")?;
    let closing = format!("\r\n--{boundary}");
    let value = &rest[headers_end + 4..];
    let value_end = memchr::memmem::find(value, closing.as_bytes())?;
    let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
    let named_csrf = headers.lines().any(|line| {
        line.starts_with("content-disposition:")
            && line
                .split(';')
                .any(|param| matches!(param.trim(), "name=\"csrf\"" | "name=csrf"))
    });
    Some(named_csrf.then(|| String::from_utf8_lossy(&value[..value_end]).into_owned()))
}
