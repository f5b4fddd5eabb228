//! The headers every answer carries to keep a browser on komhen's side: a
//! Content-Security-Policy that lets pages run only komhen's own scripts
//! and be framed by no one, no MIME sniffing, no address sent to other
//! sites, and nothing personal kept in a cache.
//!
//! Pages run no inline script (every script is a file under `/static/`),
//! so `script-src 'self'` holds; inline `style` attributes stay allowed for
//! the few layout hints the templates and the charts set. Where komhen is
//! reached only over HTTPS (a proxy in front ends TLS), `komhen serve
//! --hsts` adds Strict-Transport-Security, so a browser never again asks
//! over plain HTTP (docs/setup.md, "Running komhen for others").

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// What a page may load and who may frame it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

/// How long a browser keeps to HTTPS after one answer with
/// Strict-Transport-Security: a year, what browsers' preload lists require.
pub const HSTS_MAX_AGE_SECONDS: u32 = 31_536_000;

/// Whether answers carry Strict-Transport-Security.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hsts(pub bool);

/// Adds the security headers; an answer that set its own cache policy (the
/// static files, the public map) keeps it, every other is `no-store`.
pub(crate) async fn headers(State(hsts): State<Hsts>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if hsts.0 {
        if let Ok(value) = HeaderValue::from_str(&format!(
            "max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains"
        )) {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
        }
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
