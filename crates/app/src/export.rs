//! `komhen export`: a municipality's raw registrations as a codebook file
//! (CSV or XLSX), and the codebook that goes with it — the same rows and
//! files as the extract page (`komhen_core::reports::extract`) — and its
//! set-up as JSON (`komhen_core::setup::transfer`), so the extract can be
//! imported into another installation.

use anyhow::Context;
use clap::{Args, Subcommand};
use komhen_core::reports::extract::{self, Extract};
use komhen_core::reports::{self, Comparing, ReportQuery, Scope};
use komhen_domain::MunicipalityCode;
use komhen_store::Store;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The registrations of a municipality, in the codebook's format (they
    /// can be imported again). Test registrations are never included.
    Registrations(RegistrationsArgs),
    /// The codebook of a municipality's extract: every column and code.
    Codebook(CodebookArgs),
    /// A municipality's set-up as JSON (departments, units and their
    /// logins without passwords, own tasks, questions, each unit's tasks
    /// and parameters), for `komhen import setup` in another installation.
    Setup(SetupArgs),
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    #[arg(long)]
    pub municipality: String,
    /// The JSON file to write.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RegistrationsArgs {
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// Which registrations, as a report link's query (keys as in
    /// docs/reports.md), e.g. `fra=2025-10-20&til=2025-11-09&kanal=TLFIND`.
    /// Without dates: the latest counting period that has begun.
    #[arg(default_value = "")]
    pub query: String,
    /// csv (UTF-8 with BOM, `;`) or xlsx (with the codebook on a second sheet).
    #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx"])]
    pub format: String,
    /// The file to write; standard output when left out (CSV only).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CodebookArgs {
    #[arg(long)]
    pub municipality: String,
    /// The file to write; standard output when left out.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub async fn run(store: &dyn Store, command: ExportCommand) -> anyhow::Result<()> {
    match command {
        ExportCommand::Setup(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let document =
                komhen_core::setup::transfer::export_setup(store, code, chrono::Utc::now()).await?;
            std::fs::write(&args.file, document.to_json()?)
                .with_context(|| format!("{} kunne ikke skrives", args.file.display()))?;
            eprintln!(
                "Opsætningen af {} ({code}) er skrevet til {}: {} forvaltninger, {} enheder, {} \
                 egne opgaver, {} spørgsmål, {} egne kanalpriser.",
                document.municipality_name,
                args.file.display(),
                document.departments.len(),
                document.units.len(),
                document.tasks.len(),
                document.questions.len(),
                document.prices.len()
            );
            Ok(())
        }
        ExportCommand::Registrations(args) => registrations(store, args).await,
        ExportCommand::Codebook(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let csv = extract::codebook(store, code).await?.csv()?;
            match args.output {
                Some(path) => std::fs::write(&path, csv)
                    .with_context(|| format!("{} kunne ikke skrives", path.display()))?,
                None => std::io::stdout().write_all(&csv)?,
            }
            Ok(())
        }
    }
}

async fn registrations(store: &dyn Store, args: RegistrationsArgs) -> anyhow::Result<()> {
    let code = MunicipalityCode::parse(&args.municipality)?;
    if store.get_municipality(code).await?.is_none() {
        anyhow::bail!("kommune {code} findes ikke");
    }
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&args.query).context("udtrækkets adresse kan ikke læses")?;
    if pairs.iter().any(|(k, _)| k == "kommune") {
        anyhow::bail!("kommunen angives med --municipality, ikke i adressen");
    }
    pairs.push(("kommune".into(), code.to_string()));
    let query = ReportQuery::parse(&pairs)?;
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let dates = reports::default_dates(store, Some(code), today).await?;
    let request = query
        .request(store, &Scope::national(), dates, Comparing::Nothing)
        .await?;
    let extract = Extract::open(store, code, &request).await?;
    let expected = extract.rows;
    let written = match (args.format.as_str(), &args.output) {
        ("xlsx", None) => anyhow::bail!("et XLSX-udtræk skal have en fil: --output udtraek.xlsx"),
        ("xlsx", Some(path)) => {
            let codebook = extract::codebook(store, code).await?;
            extract.write_xlsx(store, &codebook, path).await?
        }
        (_, Some(path)) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{} kunne ikke oprettes", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            extract.write_csv(store, &mut out).await?
        }
        (_, None) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            extract.write_csv(store, &mut out).await?
        }
    };
    eprintln!(
        "{written} registreringer skrevet for kommune {code}, {}",
        request.dates.label_da()
    );
    if i64::try_from(written).unwrap_or(i64::MAX) != expected {
        anyhow::bail!(
            "udtrækket fik {written} registreringer, men rapporten tæller {expected}: \
             der blev registreret under udtrækket; kør det igen"
        );
    }
    Ok(())
}
