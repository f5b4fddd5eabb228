//! `komhen import ...`: the coordinators' files from the command line, with
//! the same preview, rules and all-or-nothing storing as the upload pages.

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use komhen_core::access::Actor;
use komhen_core::import::{self, FileKind, Preview, Upload};
use komhen_ingest::Limits;
use komhen_store::Store;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Registrations from a codebook file (CSV or XLSX) or an extract of
    /// Det Digitale Landkort: every problem first, then all rows or none.
    Registrations(RegistrationsArgs),
}

#[derive(Debug, Args)]
pub struct RegistrationsArgs {
    /// The file.
    pub file: PathBuf,
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// `codebook` or `landkort`; found from the file's header when left out.
    #[arg(long, value_parser = ["codebook", "landkort"])]
    pub format: Option<String>,
    /// Check the file and show what would be stored, but store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the earlier import of the same file.
    #[arg(long)]
    pub replace: bool,
}

/// Prints a preview as a coordinator reads it.
fn print_preview(p: &Preview) {
    println!(
        "{} «{}» ({}): {} rækker, {} gyldige, {} med fejl, {} henvendelser.",
        p.kind.label_da(),
        p.file_name,
        if p.format.is_empty() {
            "ukendt format"
        } else {
            &p.format
        },
        p.rows,
        p.valid_rows,
        p.problems.bad_rows(),
        p.inquiries
    );
    if let (Some(from), Some(to)) = (p.first_day, p.last_day) {
        println!(
            "Datoer: {} – {}.",
            from.format("%d-%m-%Y"),
            to.format("%d-%m-%Y")
        );
    }
    for (code, label, n) in &p.by_channel {
        println!("  {code:<10} {label:<28} {n:>10}");
    }
    if !p.problems.is_empty() {
        println!("\n{}", p.problems);
    }
    for w in &p.warnings {
        let lines: Vec<String> = w.first_lines.iter().map(u64::to_string).collect();
        println!(
            "Advarsel: {} {} rækker (fx linje {}).",
            w.message,
            w.rows,
            lines.join(", ")
        );
    }
    if let Some(o) = &p.overlap {
        println!(
            "Advarsel: {} henvendelser i filen ligger på {} dage og kanaler, hvor enhederne selv \
             har registreret {} henvendelser i værktøjet. Tjek, at de ikke tælles to gange.",
            o.file_inquiries, o.cells, o.tool_inquiries
        );
    }
    let c = &p.creations;
    if !c.is_empty() {
        for (kle, name, kind) in &c.tasks {
            println!(
                "Oprettes som kommunens egen opgave: {kle} {name} ({}).",
                kind.label_da()
            );
        }
        for unit in &c.units {
            println!("Oprettes som deaktiveret enhed: {unit}.");
        }
        for q in &c.questions {
            println!("Oprettes som kommunens spørgsmål (slået fra): {q}.");
        }
    }
    if let Some(earlier) = &p.duplicate_of {
        println!(
            "Filen er indlæst før ({} rækker, {}).",
            earlier.row_count,
            komhen_domain::danish_local(earlier.created_at).format("%d-%m-%Y %H:%M")
        );
    }
}

pub async fn run(store: &dyn Store, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Registrations(args) => registrations(store, args).await,
    }
}

async fn registrations(store: &dyn Store, args: RegistrationsArgs) -> anyhow::Result<()> {
    let municipality = komhen_domain::MunicipalityCode::parse(&args.municipality)?;
    let kind = match args.format.as_deref().and_then(FileKind::parse) {
        Some(kind) => kind,
        None => FileKind::detect(&args.file)?,
    };
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("filen har intet navn")?;
    let upload = Upload {
        kind,
        path: &args.file,
        file_name: &file_name,
        limits: Limits::default(),
    };
    let preview = import::preview(store, municipality, &upload).await?;
    print_preview(&preview);
    if !preview.importable() {
        anyhow::bail!("Intet er gemt: ret fejlene, og kør kommandoen igen.");
    }
    if args.dry_run {
        println!("Prøvekørsel: intet er gemt.");
        return Ok(());
    }
    let bar = ProgressBar::new(preview.valid_rows);
    bar.set_style(
        ProgressStyle::with_template(
            "Indlæser {bar:40} {human_pos}/{human_len} rækker ({per_sec}, {eta} tilbage)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = |done: u64| bar.set_position(done);
    let imported = import::import(
        store,
        &Actor::command_line(),
        municipality,
        &upload,
        args.replace,
        &mut progress,
    )
    .await;
    bar.finish_and_clear();
    let imported = imported?;
    println!(
        "Indlæst som batch {}: {} rækker, {} henvendelser.{}",
        imported.batch.id,
        imported.rows,
        imported.inquiries,
        imported
            .replaced
            .map(|b| format!(" Erstattede batch {}.", b.id))
            .unwrap_or_default()
    );
    Ok(())
}
