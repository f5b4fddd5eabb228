//! `komhen report`: any report of the engine from the command line, as a
//! table, CSV or JSON — the same figures as the pages and the API, for
//! analysts and for benchmarks (`--repeat`); `komhen coverage`: a
//! municipality's registrations against its own systems' totals.

use anyhow::Context;
use clap::Args;
use komhen_core::reports::tabular::{self, Cell};
use komhen_core::reports::{self, Comparing, ReportQuery, Scope};
use komhen_domain::MunicipalityCode;
use komhen_store::Store;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report as a link's query, e.g.
    /// `fra=2026-10-19&til=2026-11-08&grupper=retning,kanal&sammenlign=aar`
    /// (keys as in docs/reports.md); `kommune=259` limits it to a
    /// municipality, none means every municipality.
    #[arg(default_value = "")]
    pub query: String,
    /// table (aligned text), csv (Danish Excel) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
    /// Compute the report this many times and print the times to standard
    /// error (a benchmark of the engine on this database).
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
}

pub async fn run(store: &dyn Store, args: &ReportArgs) -> anyhow::Result<()> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&args.query).context("rapportens adresse kan ikke læses")?;
    let query = ReportQuery::parse(&pairs)?;
    let municipality = match query
        .filter_codes(reports::Dimension::Municipality)
        .as_slice()
    {
        [one] => Some(MunicipalityCode::parse(one)?),
        _ => None,
    };
    let today = komhen_domain::DateDimensions::of(chrono::Utc::now()).day;
    let dates = reports::default_dates(store, municipality, today).await?;
    let request = query
        .request(store, &Scope::national(), dates, Comparing::Nothing)
        .await?;
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..args.repeat.max(1) {
        let started = Instant::now();
        result = Some(reports::run(store, &request).await?);
        times.push(started.elapsed());
    }
    let report = result.context("ingen rapport")?;
    if args.repeat > 1 {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "{} kørsler: min {:.1} ms, median {:.1} ms, max {:.1} ms",
            times.len(),
            ms(times[0]),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        );
    }
    let table = tabular::report_table(&report);
    match args.format.as_str() {
        "csv" => {
            use std::io::Write;
            std::io::stdout().write_all(&table.csv()?)?;
        }
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&tabular::report_json(&report, &query.pairs()))?
        ),
        _ => print_aligned(&table),
    }
    Ok(())
}

/// The table as aligned text, numbers to the right.
pub(crate) fn print_aligned(table: &tabular::Table) {
    let rows: Vec<Vec<(String, bool)>> = table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| (c.display_da(), !matches!(c, Cell::Text(_))))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, (text, _)) in row.iter().enumerate() {
            widths[i] = widths[i].max(text.chars().count());
        }
    }
    let header: Vec<String> = table
        .header
        .iter()
        .zip(&widths)
        .map(|(h, w)| format!("{h:<w$}"))
        .collect();
    println!("{}", header.join("  ").trim_end());
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|((text, right), w)| {
                if *right {
                    format!("{text:>w$}")
                } else {
                    format!("{text:<w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

/// A municipality and a period, as the coverage and the estimate take them.
#[derive(Debug, Args)]
pub struct MunicipalityPeriod {
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// The period's first day: 2026-03-01 or 01-03-2026.
    #[arg(long)]
    pub from: String,
    /// The period's last day.
    #[arg(long)]
    pub to: String,
}

impl MunicipalityPeriod {
    fn read(&self) -> anyhow::Result<(MunicipalityCode, chrono::NaiveDate, chrono::NaiveDate)> {
        let municipality = MunicipalityCode::parse(&self.municipality)?;
        let from = reports::parse_date(&self.from)?;
        let to = reports::parse_date(&self.to)?;
        anyhow::ensure!(from <= to, "perioden slutter før den begynder");
        Ok((municipality, from, to))
    }
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub period: MunicipalityPeriod,
    /// table (aligned text), csv (Danish Excel) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
}

/// `komhen coverage`: the same coverage as the figures page.
pub async fn coverage(store: &dyn Store, args: &CoverageArgs) -> anyhow::Result<()> {
    let (municipality, from, to) = args.period.read()?;
    let found = reports::coverage::coverage(store, municipality, from, to).await?;
    let table = reports::coverage::coverage_table(&found);
    match args.format.as_str() {
        "csv" => {
            use std::io::Write;
            std::io::stdout().write_all(&table.csv()?)?;
        }
        "json" => {
            let channels: Vec<serde_json::Value> = found
                .channels
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "kanal": c.channel.as_str(),
                        "navn": c.label_da,
                        "totaltaellinger": c.totals,
                        "dage": c.days,
                        "registreret": c.registered,
                        "total": c.total,
                        "daekningsgrad": c.share(),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "kommune": municipality.get(),
                    "fra": from.to_string(),
                    "til": to.to_string(),
                    "kanaler": channels,
                    "daekningsgrad": found.share(),
                    "delvis_uden_for_perioden": found.partly_outside,
                }))?
            );
        }
        _ => {
            if found.channels.is_empty() {
                println!("Ingen totaltællinger ligger helt i perioden.");
            } else {
                print_aligned(&table);
            }
            if found.partly_outside > 0 {
                println!(
                    "{} totaltælling(er) ligger kun delvis i perioden og indgår ikke.",
                    found.partly_outside
                );
            }
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub period: MunicipalityPeriod,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// `komhen estimate`: the same annualised estimate as the figures page.
pub async fn estimate(store: &dyn Store, args: &EstimateArgs) -> anyhow::Result<()> {
    let (municipality, from, to) = args.period.read()?;
    let found = reports::annual::annual_estimate(store, municipality, from, to).await?;
    let Some(e) = found else {
        anyhow::bail!("perioden rummer færre end to hele uger: intet årsskøn");
    };
    if args.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "kommune": municipality.get(),
                "fra": from.to_string(),
                "til": to.to_string(),
                "uger": e.weeks.iter().map(|(y, w, n)| serde_json::json!({
                    "aar": y, "uge": w, "henvendelser": n,
                })).collect::<Vec<_>>(),
                "gennemsnit_pr_uge": e.mean_per_week,
                "aarsskoen": e.estimate,
                "interval_95_lav": e.low,
                "interval_95_hoej": e.high,
            }))?
        );
        return Ok(());
    }
    for (y, w, n) in &e.weeks {
        println!("Uge {w} {y}: {}", tabular::thousands(*n));
    }
    println!(
        "Årsskøn: {} henvendelser (95 %-interval {}–{}), gennemsnittet af {} hele uger gange 52.",
        tabular::thousands(e.estimate.round() as i64),
        tabular::thousands(e.low.round() as i64),
        tabular::thousands(e.high.round() as i64),
        e.weeks.len()
    );
    Ok(())
}
