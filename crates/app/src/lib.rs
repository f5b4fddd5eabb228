//! The `komhen` command line: `serve`, `demo`, `migrate`, `test-mode`,
//! `user`, `import`, `prices`, `report`, `savings`, `strategy`, `hotline`,
//! `questionnaire`, `export`, `backup`, `restore`. Each subcommand
//! calls the same `komhen_core` functions the web handlers call, so the CLI
//! and the web share every rule.

mod export;
mod hotline;
mod import;
mod mail;
mod prices;
mod questionnaire;
mod report;
mod savings;
mod strategy;
mod users;

use anyhow::Context;
use chrono::Timelike;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use komhen_backend::{OpenMode, DEFAULT_DATABASE_URL};
use komhen_core::accounts::access::Actor;
use komhen_core::demo::{DemoOptions, DEFAULT_SIZE};
use komhen_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

mod totals;
pub use totals::{ImportCdrArgs, ImportTotalsArgs};

#[derive(Debug, Parser)]
#[command(
    name = "komhen",
    version,
    about = "Kommunernes henvendelser efter KOMHEN 2.0"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// The database: sqlite://sti/til/komhen.db or postgres://bruger@vært:5432/database.
    #[arg(long, global = true, env = "KOMHEN_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application. The database must exist (run `migrate` first).
    Serve(ServeArgs),
    /// Create or open the database, load reference data and demo data, and serve.
    Demo(DemoArgs),
    /// Create or update the schema and load the national reference data.
    Migrate,
    /// Switch a municipality's test mode on or off.
    TestMode(TestModeArgs),
    /// Issue a system token for the JSON API (as the coordinator does under
    /// Systemer og API): the token alone is printed, once, on standard output.
    Token(TokenArgs),
    /// Personal users: invite one with a role, or make a new password link.
    #[command(subcommand)]
    User(UserCommand),
    /// Import a municipality's files.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Channel prices: list, set or remove the national list's or a
    /// municipality's own (docs/economics.md).
    #[command(subcommand)]
    Prices(prices::PricesCommand),
    /// Compute a report (the same engine as the pages and the API) and
    /// print it as a table, CSV or JSON.
    Report(report::ReportArgs),
    /// Coverage: a municipality's registrations against the total counts
    /// of its own systems, per channel (dækningsgrad).
    Coverage(report::CoverageArgs),
    /// The annualised estimate: a municipality's inquiries of the whole
    /// weeks counted, to a year, with its 95 % interval.
    Estimate(report::EstimateArgs),
    /// Run a savings scenario: move inquiries between channels and see
    /// what it would save, in the period and a year (docs/economics.md).
    Savings(savings::SavingsArgs),
    /// Channel-strategy targets and initiatives: list with their progress,
    /// keep or remove.
    #[command(subcommand)]
    Strategy(strategy::StrategyCommand),
    /// A joint hotline: the line, its members, opening hours and prices,
    /// its calls, and its key figures, staffing split, Erlang plan and
    /// members' statements.
    #[command(subcommand)]
    Hotline(hotline::HotlineCommand),
    /// Reminders by e-mail: store today's reminders before deadlines and of
    /// units that registered nothing in the outbox (each once, however
    /// often this runs), and send what waits there.
    Remind(mail::RemindArgs),
    /// The outbox: every mail komhen sent or will send, newest first.
    Outbox(mail::OutboxArgs),
    /// The questionnaires of the national periods (the coordinators' and
    /// the units' evaluation of the counting weeks) and their results.
    #[command(subcommand)]
    Questionnaire(questionnaire::QuestionnaireCommand),
    /// Write a municipality's registrations (or their codebook) to a file.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Copy the whole database to a file, while the server keeps running
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom).
    Backup(BackupArgs),
    /// Put a backup in place of the database (SQLite: a new file;
    /// PostgreSQL: pg_restore into an empty database). Stop the server first.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write; it must not exist.
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `komhen backup` on the same kind of database.
    pub file: std::path::PathBuf,
    /// Replace a database that already has data.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (or give an existing one a role) and print a one-time
    /// link for setting the password.
    Add(UserAddArgs),
    /// Print a new one-time password link for an existing user.
    Link(UserLinkArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// national_admin, coordinator, unit_lead or analyst.
    #[arg(long)]
    pub role: String,
    /// The municipality's code (not for national_admin; none for a national analyst).
    #[arg(long)]
    pub municipality: Option<String>,
    /// The unit's login, for a unit_lead (e.g. 259sek).
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long)]
    pub email: String,
    /// The person's name (for a new user).
    #[arg(long, default_value = "")]
    pub name: String,
    /// Where the link is mailed (when an SMTP server is set) and what it
    /// points at.
    #[command(flatten)]
    pub mail: mail::MailArgs,
}

#[derive(Debug, Args)]
pub struct UserLinkArgs {
    #[arg(long)]
    pub email: String,
    /// Where the link is mailed (when an SMTP server is set) and what it
    /// points at.
    #[command(flatten)]
    pub mail: mail::MailArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The municipality the token writes to, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// The system's name, as the list under Systemer og API shows it.
    #[arg(long)]
    pub system: String,
}

#[derive(Debug, Args)]
pub struct TestModeArgs {
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// `on` or `off`.
    #[arg(value_parser = ["on", "off"])]
    pub state: String,
    /// With `on`: when test mode ends by itself, as Danish local time `YYYY-MM-DD HH:MM`.
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "KOMHEN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder where uploaded files wait between preview and import (default:
    /// `komhen-uploads` in the system's temporary folder). Several servers
    /// behind one address must share it.
    #[arg(long, env = "KOMHEN_UPLOAD_DIR")]
    pub upload_dir: Option<std::path::PathBuf>,
    /// komhen runs behind a reverse proxy: login throttling takes the
    /// client's address from the right-most `X-Forwarded-For` address (the
    /// one the proxy added) instead of the connection's. Only with a proxy
    /// that sets the header: without one, a client could claim any address.
    #[arg(long, env = "KOMHEN_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// komhen is reached only over HTTPS (a proxy in front ends TLS): every
    /// answer carries Strict-Transport-Security for a year, so browsers never
    /// use plain HTTP for it again. Not for a plain-HTTP installation.
    #[arg(long, env = "KOMHEN_HSTS")]
    pub hsts: bool,
    /// A PostgreSQL streaming replica of the database
    /// (`postgres://bruger@vært:5433/komhen`): the public portal, its API
    /// and reports on published periods are read from it while it answers,
    /// else from the primary. Every write and every unpublished figure
    /// stays on the primary.
    #[arg(long, env = "KOMHEN_READ_DATABASE_URL")]
    pub read_database_url: Option<String>,
    /// E-mail: reminders, one-time password links.
    #[command(flatten)]
    pub mail: mail::MailArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Registrations to generate in the tool (plus central rows), e.g. 250k or 5M.
    #[arg(long, default_value_t = DEFAULT_SIZE.to_string(), value_parser = parse_size)]
    pub size: String,
    /// Load the demo and stop instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// Accepts `250000`, `250_000`, `250k`, `5M`.
pub fn parse_size(value: &str) -> Result<String, String> {
    size_of(value).map(|n| n.to_string())
}

fn size_of(value: &str) -> Result<u64, String> {
    let cleaned = value.trim().replace('_', "").to_lowercase();
    let (digits, factor) = match cleaned.strip_suffix('m') {
        Some(d) => (d.to_owned(), 1_000_000),
        None => match cleaned.strip_suffix('k') {
            Some(d) => (d.to_owned(), 1_000),
            None => (cleaned.clone(), 1),
        },
    };
    match digits.parse::<u64>() {
        Ok(n) if n * factor >= 1_000 && n * factor <= 1_000_000_000 => Ok(n * factor),
        _ => Err(format!(
            "«{value}» er ikke en størrelse fra 1k til 1000M (fx 250k eller 5M)"
        )),
    }
}

/// Structured logs to standard error; `KOMHEN_LOG` sets the filter.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KOMHEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database.database_url;
    match cli.command {
        Command::Migrate => {
            let store = open(&url, OpenMode::CreateIfMissing).await?;
            let counts = komhen_core::reference::migrate_and_load(store.as_ref()).await?;
            println!(
                "Databasen er opdateret ({}): {} kommuner, {} KLE-numre, {} kanaler, {} nationale opgaver i {} opgavepakker.",
                store.backend().name(),
                counts.municipalities,
                counts.kle_entries,
                counts.channels,
                counts.national_tasks,
                counts.task_packages
            );
            Ok(())
        }
        Command::TestMode(args) => test_mode(&url, &args).await,
        Command::Token(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            let code = komhen_domain::MunicipalityCode::parse(&args.municipality)?;
            store
                .get_municipality(code)
                .await?
                .with_context(|| format!("kommune {code} findes ikke"))?;
            let issued = komhen_core::setup::systems::issue_token(
                store.as_ref(),
                &Actor::command_line(),
                code,
                &args.system,
            )
            .await?;
            eprintln!(
                "Systemnøgle til «{}» i kommune {code}; den vises kun denne ene gang:",
                issued.name
            );
            println!("{}", issued.token);
            Ok(())
        }
        Command::User(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            users::run(store.as_ref(), command).await
        }
        Command::Prices(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            prices::run(store.as_ref(), command).await
        }
        Command::Report(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            report::run(store.as_ref(), &args).await
        }
        Command::Coverage(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            report::coverage(store.as_ref(), &args).await
        }
        Command::Remind(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            mail::remind(store.as_ref(), &args).await
        }
        Command::Outbox(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            mail::outbox(store.as_ref(), &args).await
        }
        Command::Estimate(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            report::estimate(store.as_ref(), &args).await
        }
        Command::Savings(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            savings::run(store.as_ref(), &args).await
        }
        Command::Strategy(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            strategy::run(store.as_ref(), command).await
        }
        Command::Hotline(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            hotline::run(store.as_ref(), command).await
        }
        Command::Questionnaire(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            questionnaire::run(store.as_ref(), command).await
        }
        Command::Export(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            export::run(store.as_ref(), command).await
        }
        Command::Import(command) => {
            let store = open(&url, OpenMode::MustExist).await?;
            import::run(store.as_ref(), command).await
        }
        Command::Backup(args) => {
            let started = Instant::now();
            let summary = komhen_backend::backup::backup(&url, &args.file).await?;
            println!(
                "Sikkerhedskopi skrevet til {} ({}, {}) på {:.1} s.",
                args.file.display(),
                summary.backend.name(),
                megabytes(summary.bytes),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore(args) => {
            let started = Instant::now();
            let summary = komhen_backend::backup::restore(&url, &args.file, args.force).await?;
            println!(
                "{} er gendannet i {} ({}, {}) på {:.1} s.",
                args.file.display(),
                komhen_backend::redact(&url),
                summary.backend.name(),
                megabytes(summary.bytes),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Serve(args) => {
            let store = open(&url, OpenMode::MustExist).await?;
            store
                .migrate()
                .await
                .context("databasen kunne ikke migreres")?;
            let removed = komhen_core::intake::batch::remove_stale_everywhere(
                store.as_ref(),
                chrono::Utc::now(),
            )
            .await?;
            if removed > 0 {
                tracing::info!(
                    removed,
                    "batches left loading by an interruption were removed"
                );
            }
            serve(store, args).await
        }
        Command::Demo(args) => {
            let store = open(&url, OpenMode::CreateIfMissing).await?;
            let size = size_of(&args.size).map_err(anyhow::Error::msg)?;
            demo(store.as_ref(), size).await?;
            if args.no_serve {
                return Ok(());
            }
            serve(store, args.serve).await
        }
    }
}

/// `komhen test-mode`: switches a municipality's test mode.
async fn test_mode(url: &str, args: &TestModeArgs) -> anyhow::Result<()> {
    let store = open(url, OpenMode::MustExist).await?;
    let code = komhen_domain::MunicipalityCode::parse(&args.municipality)?;
    let until = match &args.until {
        Some(text) => Some(
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
                .ok()
                .and_then(|t| komhen_domain::danish_instant(t.date(), t.hour(), t.minute()))
                .with_context(|| format!("«{text}» er ikke et tidspunkt som 2026-11-30 08:00"))?,
        ),
        None => None,
    };
    komhen_core::setup::set_test_mode(
        store.as_ref(),
        &Actor::command_line(),
        code,
        args.state == "on",
        until,
    )
    .await?;
    let m = store
        .get_municipality(code)
        .await?
        .context("kommunen findes ikke")?;
    println!(
        "{} ({}) er {} testtilstand.",
        m.name,
        m.code,
        if m.in_test_mode(chrono::Utc::now()) {
            "i"
        } else {
            "ikke i"
        }
    );
    Ok(())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

async fn open(url: &str, mode: OpenMode) -> anyhow::Result<Arc<dyn Store>> {
    let store = komhen_backend::open(url, mode).await?;
    tracing::info!(database = %komhen_backend::redact(url), backend = store.backend().name(), "database opened");
    Ok(store)
}

async fn demo(store: &dyn Store, size: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "Demodata {bar:40} {human_pos}/{human_len} registreringer ({per_sec}, {eta} tilbage)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = komhen_core::demo::load(store, &DemoOptions { size }, &mut progress).await?;
    bar.finish_and_clear();
    if summary.generated {
        println!(
            "Demodata indlæst på {:.1} s: {} rækker i {} enheder i 98 kommuner ({}).",
            started.elapsed().as_secs_f64(),
            summary.rows,
            summary.units,
            store.backend().name()
        );
    } else {
        println!(
            "Demodata findes allerede ({} rækker); intet er indlæst igen.",
            summary.rows
        );
    }
    println!(
        "Enhedslogins, fx: {} (adgangskode: {})",
        summary.sample_logins.join(", "),
        komhen_core::demo::DEMO_PASSWORD
    );
    println!(
        "Personlige logins: {} (adgangskode: {})",
        summary.user_logins.join(", "),
        komhen_core::demo::DEMO_USER_PASSWORD
    );
    Ok(())
}

async fn serve(store: Arc<dyn Store>, args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        listen,
        upload_dir,
        behind_proxy,
        hsts,
        read_database_url,
        mail: mail_args,
    } = args;
    let replica = match read_database_url {
        Some(url) => {
            let name = komhen_backend::redact(&url);
            let replica = Arc::new(komhen_web::Replica::new(
                komhen_backend::open_replica(&url)?,
                name.clone(),
            ));
            println!(
                "Offentliggjorte tal læses fra replikaen {name}; svarer den ikke, læses de fra den \
                 primære database."
            );
            tokio::spawn(replica.clone().watch());
            Some(replica)
        }
        None => None,
    };
    let uploads = upload_dir.map_or_else(komhen_web::Uploads::in_temp, komhen_web::Uploads::new);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("kan ikke lytte på {listen}"))?;
    let address = listener.local_addr()?;
    let mailer = mail_args.mailer()?.map(Arc::new);
    if let Some(mailer) = &mailer {
        println!(
            "E-mail sendes gennem {} fra {}; links peger på {}.",
            mailer.server(),
            mailer.from_address(),
            mailer.base_url()
        );
        mail::spawn_rounds(store.clone(), mailer.clone());
    }
    let options = komhen_web::Options {
        uploads,
        behind_proxy,
        clock: komhen_web::Clock::default(),
        hsts,
        base_url: mail_args.base_url.clone(),
        mailer,
        replica,
    };
    println!("komhen kører på http://{address}/ (stop med Ctrl+C)");
    // Login throttling counts by the connection's address.
    let app =
        komhen_web::router_with(store, options).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serveren stoppede med en fejl")
}

#[cfg(test)]
mod tests {
    use super::size_of;

    #[test]
    fn sizes_accept_suffixes_and_refuse_nonsense() {
        assert_eq!(size_of("250k"), Ok(250_000));
        assert_eq!(size_of("5M"), Ok(5_000_000));
        assert_eq!(size_of("1_000_000"), Ok(1_000_000));
        assert!(size_of("lots").is_err());
        assert!(size_of("10").is_err());
    }
}
