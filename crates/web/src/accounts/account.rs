//! A personal user's own pages: "Mit komhen" (their roles and where they
//! lead), their account with password change, and the one-time link page
//! that sets a first or new password. Logging in and out is in `login`.

use crate::access::Authorized;
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use komhen_core::accounts::account::{self, LinkStatus, MIN_PASSWORD_CHARS};
use komhen_core::CoreError;
use komhen_domain::Role;
use serde::Deserialize;

pub(crate) struct PlaceView {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) roles: String,
}

#[derive(Template)]
#[template(path = "my.html")]
struct MyPage {
    frame: Frame,
    national: Vec<PlaceView>,
    municipalities: Vec<PlaceView>,
    hotlines: Vec<PlaceView>,
}

/// The joint hotlines the user reaches, with how: a role of the line's own,
/// or coordinator of a member.
async fn hotline_places(state: &AppState, auth: &Authorized) -> Result<Vec<PlaceView>, WebError> {
    use komhen_store::HotlineAccess;
    let all = state.store.list_municipalities().await?;
    let mut places = Vec::new();
    for id in auth.user.hotline_ids() {
        let Some(line) = state.store.get_hotline(id).await? else {
            continue;
        };
        let ways: Vec<String> = auth
            .user
            .hotlines
            .iter()
            .filter(|g| g.hotline == id)
            .map(|g| match g.access {
                HotlineAccess::Role(role) => crate::t(role.label_da()).to_owned(),
                HotlineAccess::MemberCoordinator(code) => crate::t1(
                    "Tovholder i medlemskommunen {0}",
                    all.iter()
                        .find(|m| m.code == code)
                        .map_or(code.to_string(), |m| m.name.clone()),
                ),
            })
            .collect();
        places.push(PlaceView {
            href: format!("/hotline/{id}"),
            name: line.settings.name,
            roles: ways.join(", "),
        });
    }
    Ok(places)
}

/// What a user's grants let them reach: the national pages and each
/// municipality, with the roles held there.
async fn places(
    state: &AppState,
    auth: &Authorized,
) -> Result<(Vec<PlaceView>, Vec<PlaceView>), WebError> {
    let mut national = Vec::new();
    if auth.user.is_national_admin() {
        national.push(PlaceView {
            href: "/admin".into(),
            name: crate::t("National administration").into(),
            roles: crate::t(Role::NationalAdmin.label_da()).into(),
        });
    }
    if auth.user.reads_national() && !auth.user.is_national_admin() {
        national.push(PlaceView {
            href: "/kommuner".into(),
            name: crate::t("Alle kommuner").into(),
            roles: crate::t("National analytiker").into(),
        });
    }
    let mut municipalities = Vec::new();
    let all = state.store.list_municipalities().await?;
    for code in auth.user.municipalities() {
        let Some(m) = all.iter().find(|m| m.code == code) else {
            continue;
        };
        let mut roles: Vec<&str> = auth
            .user
            .grants
            .iter()
            .filter(|g| g.municipality == Some(code))
            .map(|g| crate::t(g.role.label_da()))
            .collect();
        roles.dedup();
        municipalities.push(PlaceView {
            href: format!("/kommune/{code}"),
            name: crate::t1("{0} Kommune", &m.name),
            roles: roles.join(", "),
        });
    }
    Ok((national, municipalities))
}

/// Where a user lands after logging in: their one municipality, or the
/// national administration, or the one joint hotline of a user with no
/// other place, or "Mit komhen" when there is a choice.
pub(crate) fn landing(user: &komhen_core::accounts::access::UserContext) -> String {
    let municipalities = user.municipalities();
    match (
        user.reads_national(),
        municipalities.as_slice(),
        user.hotline_ids().as_slice(),
    ) {
        (false, [one], _) => format!("/kommune/{one}"),
        (true, [], _) if user.is_national_admin() => "/admin".into(),
        (false, [], [line]) => format!("/hotline/{line}"),
        _ => "/mit".into(),
    }
}

/// `GET /mit`
pub(crate) async fn show_my_page(
    State(state): State<AppState>,
    auth: Authorized,
) -> Result<Html<String>, WebError> {
    let (national, municipalities) = places(&state, &auth).await?;
    let hotlines = hotline_places(&state, &auth).await?;
    Ok(Html(
        MyPage {
            frame: Frame::user(&auth, crate::t("Mit komhen")),
            national,
            municipalities,
            hotlines,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    frame: Frame,
    email: String,
    roles: Vec<PlaceView>,
    min_chars: usize,
}

async fn account_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let (mut roles, municipalities) = places(state, auth).await?;
    roles.extend(municipalities);
    Ok(Html(
        AccountPage {
            frame: Frame::user(auth, crate::t("Min konto"))
                .notice(notice)
                .error(error),
            email: auth.user.user.email.clone(),
            roles,
            min_chars: MIN_PASSWORD_CHARS,
        }
        .render()?,
    ))
}

/// `GET /konto`
pub(crate) async fn show_account(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> Result<Html<String>, WebError> {
    account_page(&state, &auth, query.text(), None).await
}

/// The password now, the new one and the new one again.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PasswordChangeForm {
    current: String,
    new: String,
    repeated: String,
}

/// `POST /konto/adgangskode`: the sessions end, so the user logs in again.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    auth: Authorized,
    Form(form): Form<PasswordChangeForm>,
) -> Result<Response, WebError> {
    match account::change_password(
        state.store.as_ref(),
        &auth.user,
        &form.current,
        &form.new,
        &form.repeated,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&with_notice("/log-ind", "adgangskode")).into_response()),
        Err(CoreError::Invalid(message)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(&state, &auth, None, Some(message)).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    token: String,
    email: Option<String>,
    problem: Option<String>,
    error: Option<String>,
    min_chars: usize,
}

fn link_problem(status: &LinkStatus) -> Option<String> {
    match status {
        LinkStatus::Valid(_) => None,
        LinkStatus::Used => Some(
            crate::t("Linket er allerede brugt. Log ind med din adgangskode, eller bed om et nyt link.")
                .into(),
        ),
        LinkStatus::Expired => Some(crate::t1(
            "Linket er udløbet (det virker i {0} dage). Bed din tovholder eller administrator om et nyt.",
            account::LINK_DAYS,
        )),
        LinkStatus::Unknown => Some(
            crate::t("Linket findes ikke. Tjek, at hele linket er kopieret med.").into(),
        ),
    }
}

/// The one-time link's page: whose link it is, or what is wrong with it.
fn set_password_page(token: String, status: &LinkStatus, error: Option<String>) -> SetPasswordPage {
    SetPasswordPage {
        email: match status {
            LinkStatus::Valid(user) => Some(user.email.clone()),
            _ => None,
        },
        problem: link_problem(status),
        token,
        error: error.map(|e| crate::i18n::message(&e)),
        min_chars: MIN_PASSWORD_CHARS,
    }
}

/// `GET /adgangskode/{token}`
pub(crate) async fn show_set_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let status = account::link_status(state.store.as_ref(), &token, chrono::Utc::now()).await?;
    let page = set_password_page(token, &status, None);
    let code = if page.problem.is_some() {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok((code, Html(page.render()?)).into_response())
}

/// A first or new password and the same again.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SetPasswordForm {
    password: String,
    repeated: String,
}

/// `POST /adgangskode/{token}`
pub(crate) async fn set_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    let now = chrono::Utc::now();
    match account::set_password_by_link(
        state.store.as_ref(),
        &token,
        &form.password,
        &form.repeated,
        now,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&with_notice("/log-ind", "adgangskode")).into_response()),
        Err(CoreError::Invalid(message)) => {
            let status = account::link_status(state.store.as_ref(), &token, now).await?;
            let page = set_password_page(token, &status, Some(message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
