//! E-mail from the command line and the server: the SMTP settings, the
//! reminder job (`komhen remind`), the outbox (`komhen outbox`), and the
//! server's own rounds that send waiting mail and store each day's
//! reminders.

use anyhow::Context;
use clap::Args;
use komhen_core::mail::{self, MailState, Mailer};
use komhen_core::reminders;
use komhen_store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the server sends what waits in the outbox.
pub const DELIVER_EVERY: Duration = Duration::from_secs(30);
/// How often the server stores the day's reminders (each is stored once,
/// however often this runs).
pub const REMIND_EVERY: Duration = Duration::from_secs(60 * 60);

/// Where mail goes and what its links point at.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// The address users reach komhen at, for links in mails and printed
    /// links. Required with an SMTP server (a mail's link is sent once and
    /// never corrected); a printed link falls back to
    /// http://127.0.0.1:8080.
    #[arg(long, env = "KOMHEN_BASE_URL")]
    pub base_url: Option<String>,
    /// The SMTP server mail goes through: `smtp://host:25` (plain),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465` (TLS). Unset: mails wait in the
    /// outbox.
    #[arg(long, env = "KOMHEN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of komhen's mails.
    #[arg(long, env = "KOMHEN_MAIL_FROM", default_value = "komhen@localhost")]
    pub mail_from: String,
}

impl MailArgs {
    /// The base URL, or `fallback` when none is set.
    pub fn base_url_or(&self, fallback: &str) -> String {
        self.base_url
            .as_deref()
            .unwrap_or(fallback)
            .trim_end_matches('/')
            .to_owned()
    }

    /// The address for links in mails: it must be set, for a mail's link
    /// is sent once and never corrected.
    pub fn required_base_url(&self) -> anyhow::Result<String> {
        match self.base_url.as_deref().map(str::trim) {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                anyhow::bail!("KOMHEN_BASE_URL «{url}» skal begynde med https:// (eller http://)")
            }
            None => anyhow::bail!(
                "sæt KOMHEN_BASE_URL (--base-url) til den adresse, brugerne når komhen på, \
                 fx https://komhen.kommune.dk: links i mails sendes én gang og rettes aldrig"
            ),
        }
    }

    /// The mailer, when an SMTP server is set (then the base URL must be).
    pub fn mailer(&self) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = self.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let base_url = self.required_base_url()?;
        Mailer::new(url.trim(), &self.mail_from, &base_url)
            .context("KOMHEN_SMTP_URL/KOMHEN_MAIL_FROM kan ikke bruges")
            .map(Some)
    }
}

pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";

#[derive(Debug, Args)]
pub struct RemindArgs {
    #[command(flatten)]
    pub mail: MailArgs,
    /// Days before a deadline the reminder goes out.
    #[arg(long = "dage-foer", default_value_t = reminders::REMINDER_DAYS_BEFORE)]
    pub days_before: i64,
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Only the mails about this municipality (its code).
    #[arg(long)]
    pub kommune: Option<String>,
}

/// `komhen remind`: stores today's reminders in the outbox (each once) and
/// sends what waits there when an SMTP server is set.
pub(crate) async fn remind(store: &dyn Store, args: &RemindArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (0..=60).contains(&args.days_before),
        "--dage-foer skal være mellem 0 og 60"
    );
    let base_url = args.mail.required_base_url()?;
    let mailer = args.mail.mailer()?;
    let run = reminders::run(
        store,
        mailer.as_ref(),
        &base_url,
        chrono::Utc::now(),
        args.days_before,
    )
    .await?;
    println!(
        "{} påmindelser er aktuelle i dag; {} er nye i udbakken (de øvrige er lagt der før og sendes ikke igen).",
        run.due, run.stored
    );
    for (to, why) in &run.refused {
        println!("Ikke lagt i udbakken, til {to}: {why}");
    }
    match (&mailer, &run.delivery) {
        (Some(mailer), Some(delivery)) => {
            println!("Sendt gennem {}: {} mails.", mailer.server(), delivery.sent);
            for (to, error) in &delivery.failed {
                println!("Ikke sendt til {to}: {error} (prøves igen).");
            }
            anyhow::ensure!(
                delivery.failed.is_empty(),
                "{} mails kunne ikke sendes",
                delivery.failed.len()
            );
        }
        _ => println!("Ingen SMTP-server er sat (KOMHEN_SMTP_URL): mails venter i udbakken."),
    }
    Ok(())
}

/// `komhen outbox`: the outbox, newest first.
pub(crate) async fn outbox(store: &dyn Store, args: &OutboxArgs) -> anyhow::Result<()> {
    let municipality = args
        .kommune
        .as_deref()
        .map(komhen_domain::MunicipalityCode::parse)
        .transpose()?;
    let mails = mail::outbox(store, municipality).await?;
    if mails.is_empty() {
        println!("Udbakken er tom.");
        return Ok(());
    }
    println!("Oprettet          Status                Forsøg  Modtager / emne");
    for m in &mails {
        let state = MailState::of(m);
        println!(
            "{}  {:<20}  {:>6}  {} / {}",
            komhen_domain::danish_local(m.created_at).format("%d-%m-%Y %H:%M"),
            state.label_da(),
            m.attempts,
            m.recipient,
            m.subject
        );
        if let MailState::Failing(e) | MailState::GivenUp(e) = state {
            println!("                  {e}");
        }
    }
    Ok(())
}

/// The server's mail rounds: every [`DELIVER_EVERY`] it sends what waits
/// in the outbox, and every [`REMIND_EVERY`] (first at start) it stores
/// the day's reminders before sending.
pub(crate) fn spawn_rounds(store: Arc<dyn Store>, mailer: Arc<Mailer>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(DELIVER_EVERY);
        let mut reminded: Option<Instant> = None;
        loop {
            tick.tick().await;
            if reminded.is_none_or(|at| at.elapsed() >= REMIND_EVERY) {
                reminded = Some(Instant::now());
                match reminders::run(
                    store.as_ref(),
                    Some(&mailer),
                    mailer.base_url(),
                    chrono::Utc::now(),
                    reminders::REMINDER_DAYS_BEFORE,
                )
                .await
                {
                    Ok(run) => tracing::info!(due = run.due, stored = run.stored, "påmindelser"),
                    Err(error) => tracing::error!(%error, "påmindelserne kunne ikke laves"),
                }
            } else if let Err(error) = mail::deliver(store.as_ref(), &mailer).await {
                tracing::error!(%error, "udbakken kunne ikke sendes");
            }
        }
    });
}
