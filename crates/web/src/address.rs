//! The client's address, as login throttling counts it: the connection's
//! peer, or behind a reverse proxy (`komhen serve --behind-proxy`) the
//! right-most `X-Forwarded-For` address, the one the proxy itself added
//! (any address left of it is what the client claimed). Owns only finding
//! the address; what it may do is decided in `komhen_core::accounts::auth`.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use komhen_core::accounts::auth::ClientAddress;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The request's client address. Never refuses a request: without a
/// connection address (a router used without its listener) the address
/// is [`ClientAddress::unknown`].
pub(crate) struct Client(pub(crate) ClientAddress);

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state.behind_proxy.then(|| forwarded_for(parts)).flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        Ok(Self(
            forwarded
                .or(peer)
                .map_or_else(ClientAddress::unknown, ClientAddress::of),
        ))
    }
}

/// The right-most address of the last `X-Forwarded-For` header.
fn forwarded_for(parts: &Parts) -> Option<IpAddr> {
    let header = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?;
    let last = header.to_str().ok()?.rsplit(',').next()?.trim();
    last.parse()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|s| s.ip()))
}
