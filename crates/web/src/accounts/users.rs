//! Users and the audit log, as a municipality's coordinator sees them
//! (`/kommune/{kode}/brugere`, `/kommune/{kode}/log`) and as the national
//! administrator sees them (`/admin/brugere`, `/admin/log`): inviting with
//! a role, one-time password links, taking roles away, (de)activating
//! users, and reading who changed what. Rules live in
//! `komhen_core::accounts::account`.

use crate::access::Authorized;
use crate::forms::{site, when, when_or_never};
use crate::frame::{with_notice, Frame, NoticeQuery};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use komhen_core::accounts::account::{self, Grant, Link};
use komhen_core::CoreError;
use komhen_domain::{danish_local, MunicipalityCode, Role, UnitId, UserId};
use komhen_store::{UnitRow, UserGrantRow};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

pub(crate) struct RoleView {
    pub(crate) label: String,
    /// The hidden fields that name the grant for "remove".
    pub(crate) role: &'static str,
    pub(crate) municipality: String,
    pub(crate) unit: String,
    pub(crate) removable: bool,
}

pub(crate) struct UserView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) active: bool,
    pub(crate) has_password: bool,
    pub(crate) last_login: String,
    pub(crate) roles: Vec<RoleView>,
    pub(crate) can_link: bool,
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
}

pub(crate) struct LinkView {
    pub(crate) email: String,
    pub(crate) url: String,
    pub(crate) expires: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    frame: Frame,
    /// Where the forms post: `/kommune/259/brugere` or `/admin/brugere`.
    action: String,
    admin: bool,
    users: Vec<UserView>,
    roles: Vec<Choice>,
    municipalities: Vec<Choice>,
    units: Vec<Choice>,
    link: Option<LinkView>,
}

fn role_label(
    grant: &komhen_store::RoleGrantRow,
    units: &[UnitRow],
    names: &[(MunicipalityCode, String)],
) -> String {
    let place = match (grant.municipality, grant.unit) {
        (_, Some(unit)) => units
            .iter()
            .find(|u| u.id == unit)
            .map(|u| crate::t2(" for {0} ({1})", &u.name, &u.login))
            .unwrap_or_default(),
        (Some(m), None) => names
            .iter()
            .find(|(c, _)| *c == m)
            .map(|(_, n)| crate::t1(" i {0}", n))
            .unwrap_or_default(),
        (None, None) if grant.role == Role::Analyst => crate::t(" (hele landet)").into(),
        (None, None) => String::new(),
    };
    format!("{}{place}", crate::t(grant.role.label_da()))
}

/// Hands a one-time link over: by e-mail when komhen has an SMTP server
/// (the page then does not show it), else, or when the server did not
/// take the mail, on the page for the reader to pass on.
async fn hand_over(
    state: &AppState,
    auth: &Authorized,
    headers: &axum::http::HeaderMap,
    link: Link,
    done: &str,
) -> Result<(String, Option<(Link, String)>), WebError> {
    let Some(mailer) = &state.mailer else {
        return Ok((
            crate::t1(
                "{0} Giv personen linket herunder; det virker én gang.",
                done,
            ),
            Some((link, site(headers))),
        ));
    };
    let municipality = auth.municipality.as_ref().map(|m| m.code);
    let sent = match account::mail_link(
        state.store.as_ref(),
        mailer,
        &link,
        municipality,
        Utc::now(),
    )
    .await
    {
        // An address komhen cannot mail: the link is handed over by hand.
        Err(CoreError::Invalid(why)) => Err(why),
        other => other?,
    };
    match sent {
        Ok(()) => Ok((
            crate::t2(
                "{0} Linket er sendt med e-mail til {1}; det virker én gang.",
                done,
                &link.email,
            ),
            None,
        )),
        Err(error) => Ok((
            crate::t2(
                "{0} Mailen kunne ikke sendes ({1}). Giv personen linket herunder; det \
                 virker én gang.",
                done,
                error,
            ),
            // The mailer's address, not the request's Host header.
            Some((link, mailer.base_url().to_owned())),
        )),
    }
}

/// The users page of a municipality (Some) or of the nation (None).
async fn users_page(
    state: &AppState,
    auth: &Authorized,
    notice: Option<String>,
    error: Option<String>,
    link: Option<(Link, String)>,
) -> Result<Html<String>, WebError> {
    let store = state.store.as_ref();
    let municipality = auth.municipality.as_ref().map(|m| m.code);
    let grants: Vec<UserGrantRow> = store.list_grants(municipality).await?;
    let all_grants: Vec<UserGrantRow> = store.list_grants(None).await?;
    let users = match municipality {
        Some(_) => {
            let mut users = Vec::new();
            for g in &grants {
                if !users.iter().any(|u: &komhen_store::UserRow| u.id == g.user) {
                    if let Some(user) = store.get_user(g.user).await? {
                        users.push(user);
                    }
                }
            }
            users.sort_by(|a, b| a.email.cmp(&b.email));
            users
        }
        None => store.list_users().await?,
    };
    let names: Vec<(MunicipalityCode, String)> = store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let units = match municipality {
        Some(m) => store.list_units(m).await?,
        None => Vec::new(),
    };
    let admin = municipality.is_none();
    let views = users
        .iter()
        .map(|u| {
            let own: Vec<&UserGrantRow> = grants.iter().filter(|g| g.user == u.id).collect();
            let everywhere: Vec<&UserGrantRow> =
                all_grants.iter().filter(|g| g.user == u.id).collect();
            // A coordinator resets only people who work in their municipality alone.
            let can_link = admin
                || everywhere.iter().all(|g| {
                    g.grant.municipality.is_some() && g.grant.municipality == municipality
                });
            UserView {
                id: u.id.0,
                name: u.name.clone(),
                email: u.email.clone(),
                active: u.active,
                has_password: u.password_hash.is_some(),
                last_login: when_or_never(u.last_login_at),
                roles: own
                    .iter()
                    .map(|g| RoleView {
                        label: role_label(&g.grant, &units, &names),
                        role: g.grant.role.code(),
                        municipality: g
                            .grant
                            .municipality
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                        unit: g.grant.unit.map(|u| u.0.to_string()).unwrap_or_default(),
                        removable: account::may_grant(
                            &auth.user,
                            &Grant {
                                role: g.grant.role,
                                municipality: g.grant.municipality,
                                unit: g.grant.unit,
                            },
                        ) && !(g.user == auth.user.user.id
                            && g.grant.role == Role::NationalAdmin),
                    })
                    .collect(),
                can_link: can_link && u.active,
            }
        })
        .collect();
    let mut roles = vec![
        Choice {
            value: Role::Coordinator.code().into(),
            label: crate::t(Role::Coordinator.label_da()).into(),
        },
        Choice {
            value: Role::UnitLead.code().into(),
            label: crate::t(Role::UnitLead.label_da()).into(),
        },
        Choice {
            value: Role::Analyst.code().into(),
            label: crate::t(Role::Analyst.label_da()).into(),
        },
    ];
    if admin {
        roles.push(Choice {
            value: Role::NationalAdmin.code().into(),
            label: crate::t(Role::NationalAdmin.label_da()).into(),
        });
    }
    let frame = match &auth.municipality {
        Some(_) => Frame::municipality(auth, crate::t("Brugere"), "/brugere"),
        None => Frame::admin(auth, crate::t("Brugere"), "/brugere"),
    };
    let page = UsersPage {
        frame: frame.notice(notice).error(error),
        action: match municipality {
            Some(m) => format!("/kommune/{m}/brugere"),
            None => "/admin/brugere".into(),
        },
        admin,
        users: views,
        roles,
        municipalities: if admin {
            names
                .iter()
                .map(|(code, name)| Choice {
                    value: code.to_string(),
                    label: format!("{code} {name}"),
                })
                .collect()
        } else {
            Vec::new()
        },
        units: units
            .iter()
            .filter(|u| u.active)
            .map(|u| Choice {
                value: u.id.0.to_string(),
                label: format!("{} ({})", u.name, u.login),
            })
            .collect(),
        link: link.map(|(link, base)| LinkView {
            url: format!("{base}{}", link.path()),
            email: link.email,
            expires: when(link.expires_at),
        }),
    };
    Ok(Html(page.render()?))
}

/// `GET /kommune/{kode}/brugere` and `GET /admin/brugere`
pub(crate) async fn list_users(
    State(state): State<AppState>,
    auth: Authorized,
    Query(query): Query<NoticeQuery>,
) -> PageResult {
    Ok(users_page(&state, &auth, query.text(), None, None)
        .await?
        .into_response())
}

/// A person invited with a role: who they are, the role, and where it
/// holds (the municipality on the national page, the unit of a unit lead).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct InviteForm {
    email: String,
    name: String,
    role: String,
    municipality: String,
    unit: String,
}

/// The grant an invitation form asks for. A municipality's page always
/// grants in that municipality; the national page says where.
fn grant_of(auth: &Authorized, form: &InviteForm) -> Result<Grant, CoreError> {
    let role = Role::parse(&form.role).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let municipality = match &auth.municipality {
        Some(m) => Some(m.code),
        None => match form.municipality.trim() {
            "" => None,
            code => {
                Some(MunicipalityCode::parse(code).map_err(|e| CoreError::Invalid(e.to_string()))?)
            }
        },
    };
    let unit = match role {
        Role::UnitLead => Some(UnitId(form.unit.parse::<i64>().map_err(|_| {
            CoreError::Invalid(
                crate::t("Vælg den enhed, den enhedsansvarlige har ansvar for.").into(),
            )
        })?)),
        _ => None,
    };
    Ok(Grant {
        role,
        municipality: if role == Role::NationalAdmin {
            None
        } else {
            municipality
        },
        unit,
    })
}

fn show(outcome: Result<Html<String>, WebError>, ok: bool) -> PageResult {
    let html = outcome?;
    Ok(if ok {
        html.into_response()
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    })
}

/// `POST /kommune/{kode}/brugere` and `POST /admin/brugere`: invites a
/// person and shows the one-time link to hand them.
pub(crate) async fn invite_user(
    State(state): State<AppState>,
    auth: Authorized,
    headers: axum::http::HeaderMap,
    Form(form): Form<InviteForm>,
) -> PageResult {
    let outcome = match grant_of(&auth, &form) {
        Ok(grant) => {
            account::invite(
                state.store.as_ref(),
                Some(&auth.user),
                &form.email,
                &form.name,
                grant,
                Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(link) => {
            let (notice, shown) = hand_over(
                &state,
                &auth,
                &headers,
                link,
                crate::t("Personen er inviteret."),
            )
            .await?;
            show(
                users_page(&state, &auth, Some(notice), None, shown).await,
                true,
            )
        }
        Err(CoreError::Invalid(message)) => show(
            users_page(&state, &auth, None, Some(message), None).await,
            false,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Whether the page may act on this user: the national administrator on
/// anyone, a coordinator on people who work in their municipality alone.
async fn may_act_on(state: &AppState, auth: &Authorized, user: UserId) -> Result<bool, WebError> {
    let Some(m) = &auth.municipality else {
        return Ok(auth.user.is_national_admin());
    };
    let grants = state.store.list_user_roles(user).await?;
    Ok(!grants.is_empty() && grants.iter().all(|g| g.municipality == Some(m.code)))
}

/// `POST .../brugere/{bruger}/link`: a new one-time password link.
pub(crate) async fn create_link(
    State(state): State<AppState>,
    auth: Authorized,
    headers: axum::http::HeaderMap,
    Path(path): Path<UserPath>,
) -> PageResult {
    let user = path.user()?;
    if !may_act_on(&state, &auth, user).await? {
        return Err(WebError::NoAccess);
    }
    let row = state
        .store
        .get_user(user)
        .await?
        .ok_or(WebError::NotFound)?;
    let link = account::create_link(
        state.store.as_ref(),
        &auth.user.actor(),
        &row,
        auth.municipality.as_ref().map(|m| m.code),
        Utc::now(),
    )
    .await?;
    let (notice, shown) = hand_over(
        &state,
        &auth,
        &headers,
        link,
        crate::t("Et nyt link er lavet. Tidligere links virker ikke mere."),
    )
    .await?;
    show(
        users_page(&state, &auth, Some(notice), None, shown).await,
        true,
    )
}

/// The `{bruger}` of a user's route, on a municipality's page or the
/// national one.
#[derive(Debug, Deserialize)]
pub(crate) struct UserPath {
    bruger: String,
}

impl UserPath {
    /// The user named; an id that is not a number names no one.
    fn user(&self) -> Result<UserId, WebError> {
        self.bruger
            .parse::<i64>()
            .map(UserId)
            .map_err(|_| WebError::NotFound)
    }
}

fn users_path(auth: &Authorized) -> String {
    match &auth.municipality {
        Some(m) => format!("/kommune/{}/brugere", m.code),
        None => "/admin/brugere".into(),
    }
}

/// The grant to take away, named by the hidden fields of its button.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RoleForm {
    role: String,
    municipality: String,
    #[serde(deserialize_with = "crate::forms::id")]
    unit: Option<i64>,
}

/// `POST .../brugere/{bruger}/fjern-rolle`
pub(crate) async fn revoke_role(
    State(state): State<AppState>,
    auth: Authorized,
    Path(path): Path<UserPath>,
    Form(form): Form<RoleForm>,
) -> PageResult {
    let user = path.user()?;
    let outcome = match Role::parse(&form.role) {
        Ok(role) => {
            let municipality = MunicipalityCode::parse(&form.municipality).ok();
            // A municipality's page only ever removes roles in it.
            if auth.municipality.is_some()
                && municipality != auth.municipality.as_ref().map(|m| m.code)
            {
                return Err(WebError::NoAccess);
            }
            let grant = Grant {
                role,
                municipality,
                unit: form.unit.map(UnitId),
            };
            account::revoke_role(state.store.as_ref(), &auth.user, user, grant).await
        }
        Err(e) => Err(CoreError::Invalid(e.to_string())),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&with_notice(&users_path(&auth), "fjernet")).into_response()),
        Err(CoreError::Invalid(message)) => show(
            users_page(&state, &auth, None, Some(message), None).await,
            false,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A user let in (`active=ja`) or shut out (anything else).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UserActiveForm {
    active: String,
}

/// `POST /admin/brugere/{bruger}/aktiv`
pub(crate) async fn set_user_active(
    State(state): State<AppState>,
    auth: Authorized,
    Path(user): Path<i64>,
    Form(form): Form<UserActiveForm>,
) -> PageResult {
    let active = form.active == "ja";
    match account::set_user_active(state.store.as_ref(), &auth.user, UserId(user), active).await {
        Ok(()) => Ok(Redirect::to(&with_notice(&users_path(&auth), "gemt")).into_response()),
        Err(CoreError::Invalid(message)) => show(
            users_page(&state, &auth, None, Some(message), None).await,
            false,
        ),
        Err(e) => Err(e.into()),
    }
}

// --- audit log ------------------------------------------------------------------

pub(crate) struct AuditView {
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) entity: String,
    pub(crate) municipality: String,
    pub(crate) before: String,
    pub(crate) after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    national: bool,
    entries: Vec<AuditView>,
    limit: u32,
}

/// Entries shown; the log itself keeps everything.
const AUDIT_LIMIT: u32 = 500;

/// `GET /kommune/{kode}/log` and `GET /admin/log`
pub(crate) async fn show_audit(State(state): State<AppState>, auth: Authorized) -> PageResult {
    let municipality = auth.municipality.as_ref().map(|m| m.code);
    let entries = state.store.list_audit(municipality, AUDIT_LIMIT).await?;
    let frame = match &auth.municipality {
        Some(_) => Frame::municipality(&auth, crate::t("Ændringslog"), "/log"),
        None => Frame::admin(&auth, crate::t("Ændringslog"), "/log"),
    };
    let page = AuditPage {
        frame,
        national: municipality.is_none(),
        entries: entries
            .into_iter()
            .map(|a| AuditView {
                at: danish_local(a.at).format("%d-%m-%Y %H:%M:%S").to_string(),
                actor: a.entry.actor,
                action: a.entry.action,
                entity: format!("{} {}", a.entry.entity, a.entry.entity_id),
                municipality: a
                    .entry
                    .municipality
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| crate::t("national").into()),
                before: a.entry.before_json.unwrap_or_default(),
                after: a.entry.after_json.unwrap_or_default(),
            })
            .collect(),
        limit: AUDIT_LIMIT,
    };
    Ok(Html(page.render()?).into_response())
}
