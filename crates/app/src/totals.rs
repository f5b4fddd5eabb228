//! `komhen import totals` and `komhen import cdr`: the same previews the
//! totals pages show (every problem grouped, every overlap, what would be
//! stored), printed, then stored whole unless `--dry-run` or refused.
//!
//! Owns only the printing; every rule is `komhen_core::intake::totals` and
//! `komhen_core::intake::phone`, so the command line and the pages agree.

use clap::Args;
use komhen_core::accounts::access::Actor;
use komhen_core::intake::phone::{self, CdrFile, CdrOptions, CdrPreview};
use komhen_core::intake::totals::{self, TotalsPreview};
use komhen_domain::MunicipalityCode;
use komhen_store::Store;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportTotalsArgs {
    /// The CSV file: Kanal;Fra;Til;Antal (see docs/totals.md).
    pub file: PathBuf,
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// Show what would be stored, and store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportCdrArgs {
    /// The phone system's call log (Asterisk Master.csv).
    pub file: PathBuf,
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// The timestamps are UTC (usegmtime=yes in cdr.conf), not Danish time.
    #[arg(long)]
    pub utc: bool,
    /// The municipality's own cdr_custom column order, e.g. "clid,src,dst,dcontext,...".
    #[arg(long, default_value = "")]
    pub columns: String,
    /// Show what would be stored, and store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A number the Danish way (`1.234`).
fn n(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn print_problems(preview: &TotalsPreview) {
    if !preview.problems.is_empty() {
        println!("Fejl: {}", preview.problems);
    }
    if !preview.overlaps.is_empty() {
        println!("Overlappende perioder ({}):", preview.overlaps.len());
        for overlap in &preview.overlaps {
            println!("  {overlap}");
        }
    }
}

/// Stores the staged totals, or says why not (an error: exit code 1).
async fn finish(
    store: &dyn Store,
    municipality: MunicipalityCode,
    preview: &TotalsPreview,
    refusal: Option<String>,
    dry_run: bool,
    unit: &str,
) -> anyhow::Result<()> {
    if let Some(refusal) = refusal {
        anyhow::bail!(refusal);
    }
    let summary = format!(
        "{} totaltal (i alt {} {unit})",
        n(preview.totals.len() as i64),
        n(preview.sum())
    );
    match preview.staged {
        Some(batch) if !dry_run => {
            let row =
                totals::commit(store, &Actor::command_line(), Some(municipality), batch).await?;
            println!("Gemt: {summary} som indlæsning {}.", row.id);
        }
        _ => println!("Prøvekørsel (--dry-run): {summary} ville blive gemt; intet er gemt."),
    }
    Ok(())
}

fn read_limited(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("filen {} kan ikke læses: {e}", path.display()))?
        .len();
    if size > totals::FILE_LIMITS.max_bytes {
        anyhow::bail!(
            "filen {} er større end {} MB; en totaltalsfil er få linjer pr. kanal",
            path.display(),
            totals::FILE_LIMITS.max_bytes >> 20
        );
    }
    std::fs::read(path).map_err(|e| anyhow::anyhow!("filen {} kan ikke læses: {e}", path.display()))
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub async fn import_totals(store: &dyn Store, args: &ImportTotalsArgs) -> anyhow::Result<()> {
    let municipality = MunicipalityCode::parse(&args.municipality)?;
    let bytes = read_limited(&args.file)?;
    let preview = totals::preview_channel_file(
        store,
        &Actor::command_line(),
        municipality,
        &file_name(&args.file),
        &bytes,
        !args.dry_run,
    )
    .await?;
    println!(
        "Fil: {} ({}), {} linjer med data, {} gyldige totaltal.",
        preview.file_name,
        if preview.format.is_empty() {
            "ukendt format"
        } else {
            &preview.format
        },
        n(preview.rows as i64),
        n(preview.totals.len() as i64)
    );
    print_problems(&preview);
    for total in &preview.totals {
        println!(
            "  linje {:>4}  {:<28} {:<23} {:>12}",
            total.line.unwrap_or_default(),
            total.label,
            totals::range_da(total.total.from, total.total.to),
            n(total.total.count)
        );
    }
    finish(
        store,
        municipality,
        &preview,
        preview.refusal(),
        args.dry_run,
        "henvendelser",
    )
    .await
}

fn print_calls(preview: &CdrPreview) {
    let c = &preview.counts;
    println!(
        "Fil: {} ({}, tidspunkter i {}){}.",
        preview.totals.file_name,
        if preview.layout.is_empty() {
            "ukendt format"
        } else {
            &preview.layout
        },
        preview.clock,
        phone::span_da(preview)
            .map(|s| format!(", dagene {s}"))
            .unwrap_or_default()
    );
    println!(
        "Linjer: {}; opkald: {} (dele med samme linkedid eller uniqueid er ét opkald).",
        n(c.records as i64),
        n(c.calls as i64)
    );
    let sum = |f: fn(&phone::CdrDay) -> u64| n(c.days.iter().map(f).sum::<u64>() as i64);
    println!(
        "Besvarede: {} (indgående {}, udgående {}, ikke placeret {}); ubesvarede (NO ANSWER, BUSY, \
         FAILED, CONGESTION): {}.",
        n(c.answered as i64),
        sum(|d| d.incoming),
        sum(|d| d.outgoing),
        n(c.unmapped as i64),
        n(c.unanswered as i64)
    );
    if c.conflicting > 0 {
        println!(
            "Opkald, hvor reglerne siger begge retninger (talt efter første del): {}.",
            n(c.conflicting as i64)
        );
    }
    if !c.unmapped_kinds.is_empty() {
        println!("Besvarede opkald uden regel (tilføj en regel på siden Totaltal):");
        for (kind, count) in &c.unmapped_kinds {
            println!("  {kind}: {}", n(*count as i64));
        }
    }
    if !c.days.is_empty() {
        println!("  dag          indgående   udgående  ikke placeret  ubesvarede");
        for d in &c.days {
            println!(
                "  {}  {:>9}  {:>9}  {:>13}  {:>10}",
                d.day
                    .map(|day| day.format("%d-%m-%Y").to_string())
                    .unwrap_or_default(),
                n(d.incoming as i64),
                n(d.outgoing as i64),
                n(d.unmapped as i64),
                n(d.unanswered as i64)
            );
        }
    }
}

pub async fn import_cdr(store: &dyn Store, args: &ImportCdrArgs) -> anyhow::Result<()> {
    let municipality = MunicipalityCode::parse(&args.municipality)?;
    if !args.file.is_file() {
        anyhow::bail!("filen {} findes ikke", args.file.display());
    }
    let preview = phone::preview_cdr(
        store,
        &Actor::command_line(),
        municipality,
        CdrFile::Path(args.file.clone()),
        &file_name(&args.file),
        &CdrOptions {
            utc: args.utc,
            columns: args.columns.clone(),
        },
        !args.dry_run,
    )
    .await?;
    print_calls(&preview);
    print_problems(&preview.totals);
    finish(
        store,
        municipality,
        &preview.totals,
        preview.refusal(),
        args.dry_run,
        "besvarede opkald",
    )
    .await
}
