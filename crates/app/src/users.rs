//! `komhen user`: creating users with a role and printing one-time links.

use crate::UserCommand;
use anyhow::Context;
use komhen_core::accounts::access::Actor;
use komhen_core::accounts::account::{self, Grant, Link};
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
                "{} har rollen {}.",
                link.email,
                role.label_da().to_lowercase()
            );
            hand_over(store, &args.mail, &link, municipality).await
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
            println!("Tidligere links til {} virker ikke mere.", link.email);
            hand_over(store, &args.mail, &link, None).await
        }
    }
}

/// Mails the link when an SMTP server is set; prints it when none is, or
/// when the server did not take the mail.
async fn hand_over(
    store: &dyn Store,
    mail: &crate::mail::MailArgs,
    link: &Link,
    municipality: Option<komhen_domain::MunicipalityCode>,
) -> anyhow::Result<()> {
    let base_url = mail.base_url_or(crate::mail::DEFAULT_BASE_URL);
    if let Some(mailer) = mail.mailer()? {
        let sent = match account::mail_link(store, &mailer, link, municipality, chrono::Utc::now())
            .await
        {
            // An address komhen cannot mail: the link is printed instead.
            Err(komhen_core::CoreError::Invalid(why)) => Err(why),
            other => other?,
        };
        match sent {
            Ok(()) => {
                println!(
                    "Linket til at vælge adgangskode er sendt til {} (virker i {} dage, én gang).",
                    link.email,
                    account::LINK_DAYS
                );
                return Ok(());
            }
            Err(error) => println!("Mailen kunne ikke sendes: {error}"),
        }
    }
    println!(
        "Link til at vælge adgangskode (virker i {} dage, én gang):\n{base_url}{}",
        account::LINK_DAYS,
        link.path()
    );
    Ok(())
}
