//! Personal accounts: inviting users with a role, one-time links to set a
//! first password or a new one, changing one's own password, granting and
//! revoking roles, deactivating users. Passwords are argon2id hashes; a
//! link's token is shown once and stored only as its SHA-256.
//!
//! Who may invite or grant what is decided in `access` ([`may_grant`]);
//! this module enforces it again for the CLI's sake and writes every change
//! with its audit entry through `setup::change`.

use crate::accounts::access::{Actor, UserContext};
use crate::accounts::auth::{hash_password, random_token, token_hash, verify_password};
use crate::setup::{change, clean_name, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Duration, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{MunicipalityCode, Role, UnitId, UserId};
use komhen_store::{NewRoleGrant, NewUser, SetupChange, Store, UserRow};
use serde_json::json;

/// How long an invitation or reset link works.
pub const LINK_DAYS: i64 = 7;
/// The shortest password a personal user may choose.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A role in a place: what an invitation or a grant gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// None only for the national administrator and a national analyst.
    pub municipality: Option<MunicipalityCode>,
    /// The unit of a unit lead.
    pub unit: Option<UnitId>,
}

impl Grant {
    fn check(&self) -> CoreResult<()> {
        let ok = match self.role {
            Role::NationalAdmin => self.municipality.is_none() && self.unit.is_none(),
            Role::Coordinator => self.municipality.is_some() && self.unit.is_none(),
            Role::UnitLead => self.municipality.is_some() && self.unit.is_some(),
            Role::Analyst => self.unit.is_none(),
        };
        if ok {
            Ok(())
        } else {
            Err(CoreError::Invalid(
                match self.role {
                    Role::NationalAdmin => {
                        dl!("En national administrator hører ikke til en kommune.")
                    }
                    Role::Coordinator => dl!("En tovholder hører til én kommune."),
                    Role::UnitLead => dl!("En enhedsansvarlig hører til en enhed i en kommune."),
                    Role::Analyst => dl!("En analytiker læser en kommune eller hele landet."),
                }
                .into(),
            ))
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "role": self.role.code(),
            "municipality": self.municipality.map(|m| m.get()),
            "unit_id": self.unit.map(|u| u.0),
        })
    }
}

/// Whether `by` may give `grant`: the national administrator any; a
/// coordinator a coordinator, unit lead or analyst role in their own
/// municipality.
pub fn may_grant(by: &UserContext, grant: &Grant) -> bool {
    if by.is_national_admin() {
        return true;
    }
    match (grant.role, grant.municipality) {
        (Role::Coordinator | Role::UnitLead | Role::Analyst, Some(m)) => by.can_set_up(m),
        _ => false,
    }
}

/// A one-time link for a user: the token goes in the link, once.
#[derive(Debug, Clone)]
pub struct Link {
    pub user: UserId,
    pub email: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl Link {
    /// The link's path on the site.
    pub fn path(&self) -> String {
        format!("/adgangskode/{}", self.token)
    }
}

fn clean_email(email: &str) -> CoreResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace)
        && crate::mail::valid_address(&email);
    if valid {
        Ok(email)
    } else {
        Err(CoreError::Invalid(da!(
            "«{email}» er ikke en e-mailadresse."
        )))
    }
}

/// Checks a new password: long enough, not the e-mail address.
pub fn check_password(password: &str, email: &str) -> CoreResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::Invalid(da!(
            "Adgangskoden skal være mindst {MIN_PASSWORD_CHARS} tegn."
        )));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(CoreError::Invalid(
            dl!("Adgangskoden må ikke være din e-mailadresse.").into(),
        ));
    }
    Ok(())
}

/// Invites a person: creates the user if the e-mail is new, gives the role,
/// and returns a one-time link to set the password. `by` None is the
/// command line (whoever runs the server).
pub async fn invite(
    store: &dyn Store,
    by: Option<&UserContext>,
    email: &str,
    name: &str,
    grant: Grant,
    now: DateTime<Utc>,
) -> CoreResult<Link> {
    grant.check()?;
    if let Some(by) = by {
        if !may_grant(by, &grant) {
            return Err(CoreError::Invalid(
                dl!("Du kan ikke give den rolle i den kommune.").into(),
            ));
        }
    }
    let actor = by.map_or_else(Actor::command_line, UserContext::actor);
    let email = clean_email(email)?;
    // Everything that could refuse the role is checked before anyone is
    // created: a refused invitation leaves no user behind.
    grant_exists(store, &grant).await?;
    let user = match store.find_user_by_email(&email).await? {
        Some(user) => user,
        None => {
            let name = clean_name(name, dl!("personens navn"), 100)?;
            let applied = change(
                store,
                &actor,
                SetupChange::CreateUser(NewUser {
                    email: email.clone(),
                    name: name.clone(),
                    password_hash: None,
                }),
                Entry {
                    municipality: grant.municipality,
                    action: "create",
                    entity: "user",
                    entity_id: String::new(),
                    before: None,
                    after: Some(json!({ "email": email, "name": name })),
                },
            )
            .await?;
            store
                .get_user(UserId(applied.created()?))
                .await?
                .ok_or_else(|| CoreError::Invalid(dl!("brugeren forsvandt").into()))?
        }
    };
    grant_role(store, &actor, &user, grant).await?;
    create_link(store, &actor, &user, grant.municipality, now).await
}

/// Refuses a grant whose municipality or unit does not exist (a unit of
/// another municipality does not exist in this one).
async fn grant_exists(store: &dyn Store, grant: &Grant) -> CoreResult<()> {
    if let Some(m) = grant.municipality {
        if store.get_municipality(m).await?.is_none() {
            return Err(CoreError::Invalid(da!("Kommune {m} findes ikke.")));
        }
        if let Some(unit) = grant.unit {
            if store.get_unit(m, unit).await?.is_none() {
                return Err(CoreError::Invalid(da!(
                    "Enheden findes ikke i kommune {m}."
                )));
            }
        }
    }
    Ok(())
}

/// Gives a user a role (nothing happens when they hold it already).
pub async fn grant_role(
    store: &dyn Store,
    actor: &Actor,
    user: &UserRow,
    grant: Grant,
) -> CoreResult<()> {
    grant.check()?;
    let held = store.list_user_roles(user.id).await?;
    if held.iter().any(|g| {
        g.role == grant.role && g.municipality == grant.municipality && g.unit == grant.unit
    }) {
        return Ok(());
    }
    change(
        store,
        actor,
        SetupChange::GrantRole(NewRoleGrant {
            user: user.id,
            role: grant.role,
            municipality: grant.municipality,
            unit: grant.unit,
        }),
        Entry {
            municipality: grant.municipality,
            action: "grant_role",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(grant.json()),
        },
    )
    .await?;
    Ok(())
}

/// Takes a role from a user.
pub async fn revoke_role(
    store: &dyn Store,
    by: &UserContext,
    user: UserId,
    grant: Grant,
) -> CoreResult<()> {
    if !may_grant(by, &grant) {
        return Err(CoreError::Invalid(
            dl!("Du kan ikke fjerne den rolle i den kommune.").into(),
        ));
    }
    if user == by.user.id && grant.role == Role::NationalAdmin {
        return Err(CoreError::Invalid(
            dl!("Du kan ikke fjerne din egen rolle som national administrator.").into(),
        ));
    }
    change(
        store,
        &by.actor(),
        SetupChange::RevokeRole {
            user,
            role: grant.role,
            municipality: grant.municipality,
            unit: grant.unit,
        },
        Entry {
            municipality: grant.municipality,
            action: "revoke_role",
            entity: "user",
            entity_id: user.to_string(),
            before: Some(grant.json()),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A new one-time link for a user (a first password, or a reset by an
/// administrator or coordinator). Earlier unused links stop working.
pub async fn create_link(
    store: &dyn Store,
    actor: &Actor,
    user: &UserRow,
    municipality: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> CoreResult<Link> {
    let token = random_token();
    let expires_at = now + Duration::days(LINK_DAYS);
    change(
        store,
        actor,
        SetupChange::CreateUserToken {
            user: user.id,
            token_hash: token_hash(&token),
            expires_at,
        },
        Entry {
            municipality,
            action: "create_password_link",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(json!({ "expires_at": expires_at.to_rfc3339() })),
        },
    )
    .await?;
    Ok(Link {
        user: user.id,
        email: user.email.clone(),
        token,
        expires_at,
    })
}

/// Mails a one-time link to its user through the mailer. The outbox keeps
/// the mail with the link left out (the token is never stored in the
/// clear). Err in the result: why the server did not take it, so the page
/// or command can hand the link over another way.
pub async fn mail_link(
    store: &dyn Store,
    mailer: &crate::mail::Mailer,
    link: &Link,
    municipality: Option<MunicipalityCode>,
    now: DateTime<Utc>,
) -> CoreResult<Result<(), String>> {
    let name = crate::mail::addressee(
        &store
            .get_user(link.user)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        &link.email,
    );
    let expires = komhen_domain::danish_local(link.expires_at).format("%d-%m-%Y kl. %H:%M");
    let text = |address: &str| {
        format!(
            "Kære {name}\n\n\
             Her er dit link til at vælge en adgangskode til komhen. Det virker én gang \
             og til {expires}:\n\n{address}\n\n\
             Har du ikke ventet denne mail, kan du se bort fra den.\n\n\
             Venlig hilsen\nkomhen\n"
        )
    };
    let mail = crate::mail::Outgoing {
        key: format!(
            "adgangskode/{}/{}",
            link.user,
            &token_hash(&link.token)[..16]
        ),
        kind: crate::mail::MailKind::PasswordLink,
        municipality,
        recipient: link.email.clone(),
        subject: "Vælg din adgangskode til komhen".into(),
        body: text(&mailer.link(&link.path())),
    };
    crate::mail::send_now(
        store,
        mailer,
        &mail,
        &text("[linket vises kun i mailen til modtageren]"),
        now,
    )
    .await
}

/// What a one-time link is worth right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// Usable: sets the password of this user.
    Valid(UserRow),
    Used,
    Expired,
    Unknown,
}

pub async fn link_status(
    store: &dyn Store,
    token: &str,
    now: DateTime<Utc>,
) -> CoreResult<LinkStatus> {
    let Some(link) = store.find_user_token(&token_hash(token)).await? else {
        return Ok(LinkStatus::Unknown);
    };
    if link.used_at.is_some() {
        return Ok(LinkStatus::Used);
    }
    if link.expires_at <= now {
        return Ok(LinkStatus::Expired);
    }
    Ok(
        match store.get_user(link.user).await?.filter(|u| u.active) {
            Some(user) => LinkStatus::Valid(user),
            None => LinkStatus::Unknown,
        },
    )
}

/// Sets a password through a one-time link; the link is used up.
pub async fn set_password_by_link(
    store: &dyn Store,
    token: &str,
    password: &str,
    repeated: &str,
    now: DateTime<Utc>,
) -> CoreResult<UserRow> {
    let LinkStatus::Valid(user) = link_status(store, token, now).await? else {
        return Err(CoreError::Invalid(
            dl!("Linket virker ikke længere. Bed din tovholder eller administrator om et nyt.")
                .into(),
        ));
    };
    if password != repeated {
        return Err(CoreError::Invalid(
            dl!("De to adgangskoder er ikke ens.").into(),
        ));
    }
    check_password(password, &user.email)?;
    let hash = hash_password(password).await?;
    change(
        store,
        &Actor::user(&user),
        SetupChange::RedeemUserToken {
            token_hash: token_hash(token),
            password_hash: hash,
            now,
        },
        Entry {
            municipality: None,
            action: "set_password_by_link",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(json!({ "password": "ændret" })),
        },
    )
    .await?;
    Ok(user)
}

/// Changes the signed-in user's own password.
pub async fn change_password(
    store: &dyn Store,
    user: &UserContext,
    current: &str,
    new: &str,
    repeated: &str,
) -> CoreResult<()> {
    let stored = store
        .get_user(user.user.id)
        .await?
        .and_then(|u| u.password_hash);
    if !verify_password(stored, current).await {
        return Err(CoreError::Invalid(
            dl!("Den nuværende adgangskode er forkert.").into(),
        ));
    }
    if new != repeated {
        return Err(CoreError::Invalid(
            dl!("De to nye adgangskoder er ikke ens.").into(),
        ));
    }
    check_password(new, &user.user.email)?;
    let hash = hash_password(new).await?;
    change(
        store,
        &user.actor(),
        SetupChange::SetUserPassword {
            user: user.user.id,
            password_hash: hash,
        },
        Entry {
            municipality: None,
            action: "change_password",
            entity: "user",
            entity_id: user.user.id.to_string(),
            before: None,
            after: Some(json!({ "password": "ændret" })),
        },
    )
    .await?;
    Ok(())
}

/// Deactivates a user (their sessions end) or activates them again.
pub async fn set_user_active(
    store: &dyn Store,
    by: &UserContext,
    user: UserId,
    active: bool,
) -> CoreResult<()> {
    if user == by.user.id && !active {
        return Err(CoreError::Invalid(
            dl!("Du kan ikke deaktivere dig selv.").into(),
        ));
    }
    let before = store
        .get_user(user)
        .await?
        .ok_or_else(|| CoreError::Invalid(dl!("Brugeren findes ikke.").into()))?;
    change(
        store,
        &by.actor(),
        SetupChange::UpdateUser {
            user,
            name: before.name.clone(),
            active,
        },
        Entry {
            municipality: None,
            action: if active { "activate" } else { "deactivate" },
            entity: "user",
            entity_id: user.to_string(),
            before: Some(json!({ "active": before.active })),
            after: Some(json!({ "active": active })),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn grants_must_fit_their_role() {
        let m = MunicipalityCode::new(259).ok();
        let ok = |role, municipality, unit| {
            Grant {
                role,
                municipality,
                unit,
            }
            .check()
            .is_ok()
        };
        assert!(ok(Role::NationalAdmin, None, None));
        assert!(!ok(Role::NationalAdmin, m, None));
        assert!(ok(Role::Coordinator, m, None));
        assert!(!ok(Role::Coordinator, None, None));
        assert!(ok(Role::UnitLead, m, Some(UnitId(1))));
        assert!(!ok(Role::UnitLead, m, None));
        assert!(ok(Role::Analyst, None, None));
        assert!(ok(Role::Analyst, m, None));
    }

    #[test]
    fn passwords_and_emails_are_checked() {
        assert!(check_password("kort", "a@b.dk").is_err());
        assert!(check_password("a@koege.dk", "a@koege.dk").is_err());
        assert!(check_password("lang nok kodeord", "a@b.dk").is_ok());
        assert_eq!(clean_email(" Kim@Koege.DK ").unwrap(), "kim@koege.dk");
        assert!(clean_email("kim").is_err());
        assert!(clean_email("kim@koege").is_err());
        assert!(clean_email("k im@koege.dk").is_err());
    }
}
