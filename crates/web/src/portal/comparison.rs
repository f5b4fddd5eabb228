//! The coordinator's comparison group (`/kommune/{kode}/sammenligning`):
//! the municipalities a municipality chooses to be compared with on its
//! public page.

use super::PageResult;
use crate::access::Authorized;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use komhen_core::portal::{self, SIMILAR};
use komhen_domain::MunicipalityCode;

pub(crate) struct GroupChoice {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "setup_comparison.html")]
struct ComparisonPage {
    frame: Frame,
    base: String,
    can_set_up: bool,
    choices: Vec<GroupChoice>,
    chosen: Vec<String>,
    similar: usize,
}

/// `GET /kommune/{kode}/sammenligning`
pub(crate) async fn show_comparison_group(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let m = auth.municipality()?;
    let group = store.list_comparison_group(m.code).await?;
    let all = store.list_municipalities().await?;
    let page = ComparisonPage {
        frame: Frame::municipality(&auth, crate::t("Sammenligningsgruppe"), "/sammenligning")
            .notice(query.text()),
        base: format!("/kommune/{}", m.code),
        can_set_up: auth.can_set_up(),
        chosen: all
            .iter()
            .filter(|x| group.contains(&x.code))
            .map(|x| x.name.clone())
            .collect(),
        choices: all
            .into_iter()
            .filter(|x| x.code != m.code)
            .map(|x| GroupChoice {
                checked: group.contains(&x.code),
                code: x.code.to_string(),
                name: x.name,
            })
            .collect(),
        similar: SIMILAR,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /kommune/{kode}/sammenligning`: the chosen municipalities
/// (`kommune` repeated).
pub(crate) async fn save_comparison_group(
    State(state): State<AppState>,
    auth: Authorized,
    body: String,
) -> PageResult {
    let m = auth.municipality()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| WebError::BadRequest(crate::t("Formularen kan ikke læses.").into()))?;
    let members: Vec<MunicipalityCode> = pairs
        .iter()
        .filter(|(k, _)| k == "kommune")
        .filter_map(|(_, v)| MunicipalityCode::parse(v).ok())
        .collect();
    portal::set_comparison_group(state.store.as_ref(), &auth.user.actor(), m.code, &members)
        .await?;
    Ok(Redirect::to(&with_notice(
        &format!("/kommune/{}/sammenligning", m.code),
        "gemt",
    ))
    .into_response())
}
