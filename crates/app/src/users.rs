//! `komhen user`: creating users with a role and printing one-time links.

use crate::UserCommand;
use anyhow::Context;
use komhen_core::accounts::access::Actor;
use komhen_core::accounts::account::Grant;
use komhen_store::Store;

pub(crate) async fn run(store: &dyn Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => {
            let role = komhen_domain::Role::parse(&args.role)?;
            let municipality = args
                .municipality
                .as_deref()
                .map(komhen_domain::MunicipalityCode::parse)
                .transpose()?;
            let unit = match (&args.unit, municipality) {
                (Some(login), Some(code)) => Some(
                    store
                        .find_unit_by_login(&login.trim().to_lowercase())
                        .await?
                        .filter(|u| u.municipality == code)
                        .with_context(|| {
                            format!("kommune {code} har ingen enhed med login {login}")
                        })?
                        .id,
                ),
                (Some(_), None) => anyhow::bail!("--unit kræver --municipality"),
                _ => None,
            };
            let grant = Grant {
                role,
                municipality,
                unit,
            };
            let link = komhen_core::accounts::account::invite(
                store,
                None,
                &args.email,
                &args.name,
                grant,
                chrono::Utc::now(),
            )
            .await?;
            println!(
            "{} har rollen {}. Link til at vælge adgangskode (virker i {} dage, én gang):\n{}{}",
            link.email,
            role.label_da().to_lowercase(),
            komhen_core::accounts::account::LINK_DAYS,
            args.base_url.trim_end_matches('/'),
            link.path()
        );
            Ok(())
        }
        UserCommand::Link(args) => {
            let user = store
                .find_user_by_email(&args.email)
                .await?
                .with_context(|| format!("ingen bruger med e-mail {}", args.email))?;
            let link = komhen_core::accounts::account::create_link(
                store,
                &Actor::command_line(),
                &user,
                None,
                chrono::Utc::now(),
            )
            .await?;
            println!(
            "Nyt link til {} (virker i {} dage, én gang; tidligere links virker ikke mere):\n{}{}",
            link.email,
            komhen_core::accounts::account::LINK_DAYS,
            args.base_url.trim_end_matches('/'),
            link.path()
        );
            Ok(())
        }
    }
}
