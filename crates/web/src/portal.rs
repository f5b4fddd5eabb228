//! The public portal: the start page with the map of the municipalities,
//! the municipality list, a municipality's public page with its benchmark,
//! the rankings with their method, the national figures, and the public
//! read API (`/api/v1/public/...`); and the coordinator's choice of a
//! comparison group.
//!
//! Must not show anything of a period that is not published, nor anything
//! below municipality level, nor a figure from fewer than
//! `portal::MIN_CELL` inquiries: every figure comes from
//! `komhen_core::portal`, which only takes published periods and
//! suppresses small cells.
//!
//! A file per page, and what the pages share: `cache` (a period's figures,
//! computed once a minute) and `choice` (the chosen period and metric, and a
//! figure as the public sees it).

pub(crate) mod api;
mod cache;
mod choice;
mod comparison;
mod municipality;
mod national;
mod ranking;
mod start;

pub(crate) use api::{api_metrics, api_periods, api_savings};
pub use cache::PortalCache;
pub(crate) use comparison::{save_comparison_group, show_comparison_group};
pub(crate) use municipality::{list_municipalities, show_municipality};
pub(crate) use national::show_national;
pub(crate) use ranking::show_ranking;
pub(crate) use start::{map_geometry, start_page};

type PageResult = Result<axum::response::Response, crate::WebError>;
