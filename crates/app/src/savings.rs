//! `komhen savings`: the savings simulator from the command line — the same
//! scenario link, sizing and annualisation as the page and the API
//! (docs/economics.md), printed as text or JSON or written as XLSX.

use anyhow::Context;
use clap::Args;
use komhen_core::economics::savings;
use komhen_domain::MunicipalityCode;
use komhen_store::Store;

#[derive(Debug, Args)]
pub struct SavingsArgs {
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// The first day of the period (default: the latest counting period).
    #[arg(long)]
    pub from: Option<String>,
    /// The last day of the period.
    #[arg(long)]
    pub to: Option<String>,
    /// Move a share of a channel to another: FROM:TO:PERCENT[:TASK-ID],
    /// e.g. PRSNLG:SLVBTJN:30. Repeat for more; applied in order.
    #[arg(long = "move")]
    pub moves: Vec<String>,
    /// Raise the digital share of the incoming inquiries:
    /// PERCENT:DIGITAL-CHANNEL[:TASK-ID], e.g. 80:SLVBTJN.
    #[arg(long = "target")]
    pub targets: Vec<String>,
    /// A scenario's link query instead (as the page's address has it).
    #[arg(long, conflicts_with_all = ["moves", "targets", "from", "to"])]
    pub query: Option<String>,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Also write the scenario as an Excel workbook to this file.
    #[arg(long)]
    pub xlsx: Option<std::path::PathBuf>,
}

pub(crate) async fn run(store: &dyn Store, args: &SavingsArgs) -> anyhow::Result<()> {
    let code = MunicipalityCode::parse(&args.municipality)?;
    let pairs: Vec<(String, String)> = match &args.query {
        Some(query) => serde_urlencoded::from_str(query.trim_start_matches('?'))
            .context("scenariets adresse kan ikke læses")?,
        None => {
            let mut pairs = Vec::new();
            if let Some(from) = &args.from {
                pairs.push(("fra".to_owned(), from.clone()));
            }
            if let Some(to) = &args.to {
                pairs.push(("til".to_owned(), to.clone()));
            }
            pairs.extend(args.moves.iter().map(|m| ("flyt".to_owned(), m.clone())));
            pairs.extend(args.targets.iter().map(|t| ("maal".to_owned(), t.clone())));
            pairs
        }
    };
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let scenario = savings::scenario_from_pairs(store, code, None, &pairs, today).await?;
    let simulation = savings::simulate(store, &scenario).await?;
    let link = format!(
        "/kommune/{code}/besparelser?{}",
        serde_urlencoded::to_string(scenario.pairs())?
    );
    if let Some(path) = &args.xlsx {
        std::fs::write(path, simulation.xlsx(&link)?)
            .with_context(|| format!("{} kan ikke skrives", path.display()))?;
    }
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&simulation.json())?);
        return Ok(());
    }
    println!("Scenarie for kommune {code}, {}", scenario.dates.label_da());
    for (i, m) in scenario.moves.iter().enumerate() {
        println!("  {}. {}", i + 1, simulation.describe(m));
    }
    println!();
    crate::report::print_aligned(&simulation.summary_table());
    if !simulation.moved.is_empty() {
        println!();
        crate::report::print_aligned(&simulation.moves_table());
    }
    println!("\nForudsætninger:");
    for a in simulation.assumptions() {
        println!("- {a}");
    }
    println!("\nLink: {link}");
    Ok(())
}
