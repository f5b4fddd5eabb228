//! The coordinator's page of the municipality's systems
//! (`/kommune/{kode}/systemer`, "Systemer og API"): issue a bearer token
//! to a named system (shown once), see every token with who made it, when
//! it was last used and whether it is revoked, and revoke one.
//!
//! Every handler takes [`Authorized`]: the guard has let a coordinator of
//! this municipality (or the national administrator) through, and checked
//! the CSRF token of every POST. The rules live in `komhen_core::setup::systems`;
//! the API itself in `api`.

use crate::access::Authorized;
use crate::forms::{base, site, when, when_or_never};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::setup::systems::{self, Issued};
use komhen_core::CoreError;
use komhen_domain::SystemTokenId;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

pub(crate) struct TokenView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) created_by: String,
    pub(crate) created_at: String,
    pub(crate) last_used: String,
    /// When and by whom it was revoked; None for a live token.
    pub(crate) revoked: Option<String>,
}

/// A token just issued, shown this once.
pub(crate) struct IssuedView {
    pub(crate) name: String,
    pub(crate) token: String,
}

#[derive(Template)]
#[template(path = "setup_systems.html")]
struct SystemsPage {
    frame: Frame,
    base: String,
    tokens: Vec<TokenView>,
    issued: Option<IssuedView>,
    /// Where systems send registrations, as the browser reached this server.
    api_url: String,
    form_name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SystemForm {
    #[serde(default)]
    name: String,
}

async fn systems_page(
    state: &AppState,
    auth: &Authorized,
    headers: &HeaderMap,
    notice: Option<String>,
    error: Option<String>,
    issued: Option<Issued>,
    form_name: String,
) -> Result<Html<String>, WebError> {
    let code = auth.code()?;
    let tokens = state
        .store
        .list_system_tokens(code)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.0,
            name: t.name,
            created_by: komhen_core::accounts::access::actor_da(&t.created_by),
            created_at: when(t.created_at),
            last_used: when_or_never(t.last_used_at),
            revoked: t.revoked_at.map(|at| {
                let by = t
                    .revoked_by
                    .as_deref()
                    .map(komhen_core::accounts::access::actor_da)
                    .unwrap_or_default();
                crate::t2("{0} af {1}|hvem", when(at), by)
            }),
        })
        .collect();
    let page = SystemsPage {
        frame: Frame::municipality(auth, crate::t("Systemer og API"), "/systemer")
            .notice(notice)
            .error(error),
        base: base(auth)?,
        tokens,
        issued: issued.map(|i| IssuedView {
            name: i.name,
            token: i.token,
        }),
        api_url: format!("{}/api/v1/registrations", site(headers)),
        form_name,
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/systemer`
pub(crate) async fn list_systems(
    State(state): State<AppState>,
    auth: Authorized,
    headers: HeaderMap,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    let page = systems_page(
        &state,
        &auth,
        &headers,
        query.text(),
        None,
        None,
        String::new(),
    )
    .await?;
    Ok(page.into_response())
}

/// `POST /kommune/{kode}/systemer`: issues a token to the named system and
/// shows it, this once.
pub(crate) async fn create_system_token(
    State(state): State<AppState>,
    auth: Authorized,
    headers: HeaderMap,
    Form(form): Form<SystemForm>,
) -> PageResult {
    let outcome = systems::issue_token(
        state.store.as_ref(),
        &auth.user.actor(),
        auth.code()?,
        &form.name,
    )
    .await;
    match outcome {
        Ok(issued) => {
            let page = systems_page(
                &state,
                &auth,
                &headers,
                None,
                None,
                Some(issued),
                String::new(),
            )
            .await?;
            Ok(page.into_response())
        }
        Err(CoreError::Invalid(message)) => {
            let page = systems_page(
                &state,
                &auth,
                &headers,
                None,
                Some(message),
                None,
                form.name,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /kommune/{kode}/systemer/{system}/tilbagekald`
pub(crate) async fn revoke_system_token(
    State(state): State<AppState>,
    auth: Authorized,
    headers: HeaderMap,
    Path((_, token)): Path<(String, i64)>,
) -> PageResult {
    let code = auth.code()?;
    let outcome = systems::revoke_token(
        state.store.as_ref(),
        &auth.user.actor(),
        code,
        SystemTokenId(token),
    )
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&with_notice(
            &format!("{}/systemer", base(&auth)?),
            "tilbagekaldt",
        ))
        .into_response()),
        Err(CoreError::Invalid(message)) => {
            let page = systems_page(
                &state,
                &auth,
                &headers,
                None,
                Some(message),
                None,
                String::new(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
