//! Static assets embedded in the binary: Det Fælles Designsystem (from
//! `node_modules`, installed at build time), Apache ECharts (likewise) and
//! komhen's own few files.
//! Only what pages use is embedded (minified CSS and JS, icons, web fonts).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "node_modules/dkfds/dist/"]
#[include = "css/dkfds.min.css"]
#[include = "js/dkfds.min.js"]
#[include = "img/**"]
#[include = "fonts/IBMPlexSans/complete/woff2/*"]
#[include = "fonts/IBMPlexSans/complete/woff/*"]
struct Dkfds;

/// Apache ECharts (the full build: bars, lines and the map).
#[derive(RustEmbed)]
#[folder = "node_modules/echarts/dist/"]
#[include = "echarts.min.js"]
struct Echarts;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Own;

/// `GET /static/{*path}`: `dkfds/...` from the design system, the rest ours.
pub(crate) async fn static_file(Path(path): Path<String>) -> Response {
    let file = if let Some(rest) = path.strip_prefix("dkfds/") {
        Dkfds::get(rest)
    } else if let Some(rest) = path.strip_prefix("echarts/") {
        Echarts::get(rest)
    } else {
        Own::get(&path)
    };
    match file {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.essence_str().to_owned()),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
                file.data.into_owned(),
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "findes ikke").into_response(),
    }
}
