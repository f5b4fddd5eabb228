//! A municipality's systems (queue systems, phone systems, case systems)
//! and their bearer tokens for the JSON API: issuing one to a named system,
//! revoking it, and recognising it on every request.
//!
//! A token is random (256 bits), shown once to the coordinator who issued
//! it and stored only as its SHA-256: a plain hash is enough for a secret
//! of that entropy (argon2 guards guessable passwords), and it lets every
//! request find its token in one indexed query. The token's row names the
//! one municipality a request may write to; nothing in a request can
//! change that. Issuing and revoking are set-up changes with their audit
//! entry, which names the system but never holds the token or its hash.
//!
//! Must not know HTTP: the web layer reads the `Authorization` header and
//! answers 401 when [`authenticate`] finds no live token.

use crate::accounts::access::Actor;
use crate::setup::{change, clean_name, Entry};
use crate::{accounts::auth, CoreError, CoreResult};
use chrono::{DateTime, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{MunicipalityCode, SystemTokenId};
use komhen_store::{NewSystemToken, SetupChange, Store, SystemTokenRow};
use serde_json::json;

/// What every token starts with, so it is recognised where it is pasted
/// (a configuration file, a secret scanner's report).
pub const TOKEN_PREFIX: &str = "komhen_";

/// A token just issued: the only moment its value exists outside the system
/// it is given to.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: SystemTokenId,
    pub name: String,
    pub token: String,
}

/// Whether a presented value has the shape of a token (the prefix and 64
/// hex digits), checked before any query.
fn is_token(value: &str) -> bool {
    value
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Issues a token to a named system of the municipality.
pub async fn issue_token(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    name: &str,
) -> CoreResult<Issued> {
    let name = clean_name(name, dl!("systemets navn"), 100)?;
    let token = format!("{TOKEN_PREFIX}{}", auth::random_token());
    let applied = change(
        store,
        actor,
        SetupChange::CreateSystemToken(NewSystemToken {
            municipality,
            name: name.clone(),
            token_hash: auth::token_hash(&token),
            created_by: actor.as_str().to_owned(),
        }),
        Entry {
            municipality: Some(municipality),
            action: "create",
            entity: "system_token",
            entity_id: String::new(),
            before: None,
            // The system's name only: never the token or its hash.
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    Ok(Issued {
        id: SystemTokenId(applied.created()?),
        name,
        token,
    })
}

/// Revokes one of the municipality's tokens: the next request with it is
/// refused. Returns the token as it was.
pub async fn revoke_token(
    store: &dyn Store,
    actor: &Actor,
    municipality: MunicipalityCode,
    id: SystemTokenId,
) -> CoreResult<SystemTokenRow> {
    let before = store
        .list_system_tokens(municipality)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CoreError::Invalid(dl!("Nøglen findes ikke i kommunen.").into()))?;
    if before.is_revoked() {
        return Err(CoreError::Invalid(da!(
            "Nøglen til «{}» er allerede tilbagekaldt.",
            before.name
        )));
    }
    change(
        store,
        actor,
        SetupChange::RevokeSystemToken {
            municipality,
            token: id,
            revoked_by: actor.as_str().to_owned(),
        },
        Entry {
            municipality: Some(municipality),
            action: "revoke",
            entity: "system_token",
            entity_id: id.to_string(),
            before: Some(json!({ "name": before.name, "revoked": false })),
            after: Some(json!({ "name": before.name, "revoked": true })),
        },
    )
    .await?;
    Ok(before)
}

/// The live token a request presents (the value after `Bearer `), marked
/// used at `now`; None for anything else: a value of the wrong shape, an
/// unknown token, a revoked one.
pub async fn authenticate(
    store: &dyn Store,
    presented: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<SystemTokenRow>> {
    let presented = presented.trim();
    if !is_token(presented) {
        return Ok(None);
    }
    Ok(store
        .use_system_token(&auth::token_hash(presented), now)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefix_and_64_hex_digits_look_like_a_token() {
        let token = format!("{TOKEN_PREFIX}{}", auth::random_token());
        assert!(is_token(&token));
        assert!(!is_token(&auth::random_token()), "without the prefix");
        assert!(!is_token(&token[..token.len() - 1]));
        assert!(!is_token(&format!("{TOKEN_PREFIX}{}", "g".repeat(64))));
        assert!(!is_token(""));
    }
}
