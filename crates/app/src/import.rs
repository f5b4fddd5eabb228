//! `komhen import ...`: the coordinators' files from the command line, with
//! the same preview, rules and all-or-nothing storing as the upload pages.

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use komhen_core::accounts::access::Actor;
use komhen_core::intake::files::{self, Choice, FileKind, Preview, Upload};
use komhen_ingest::Limits;
use komhen_store::Store;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Registrations from a codebook file (CSV or XLSX) or an extract of
    /// Det Digitale Landkort: every problem first, then all rows or none.
    Registrations(RegistrationsArgs),
    /// A Matomo export of a municipality's website: the pages report
    /// becomes WEB inquiries of the mapped tasks, the visits summary the
    /// website's visits total.
    Web(ImportWebArgs),
    /// A central file of self-service (SLVBTJN) or Digital Post (DOKUD)
    /// statistics for every municipality (Kommune;Opgave;Dato;Antal).
    Central(ImportCentralArgs),
    /// Total counts per channel from a CSV file (Kanal;Fra;Til;Antal): a
    /// preview with every problem, then all totals or none.
    Totals(crate::totals::ImportTotalsArgs),
    /// Answered calls per day, incoming and outgoing, from an Asterisk call
    /// log (Master.csv), by the municipality's rules.
    Cdr(crate::totals::ImportCdrArgs),
    /// A municipality's set-up written by `komhen export setup`: creates
    /// what is missing in one transaction, refuses it whole on a clash.
    Setup(ImportSetupArgs),
    /// A joint hotline's calls from an Asterisk queue_log or a CSV of
    /// calls (the same as `komhen hotline import`): every problem first,
    /// then all calls or none.
    Calls(crate::hotline::ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportSetupArgs {
    /// The JSON file written by `komhen export setup`.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportWebArgs {
    /// The CSV file exported from Matomo.
    pub file: std::path::PathBuf,
    /// The municipality's code, e.g. 259.
    #[arg(long)]
    pub municipality: String,
    /// The day the report covers when it has no date column (2025-10-21 or
    /// 21-10-2025); for the visits summary a period (2025, 2025-10,
    /// 2025-10-20..2025-10-26).
    #[arg(long)]
    pub date: Option<String>,
    /// Show what the file holds and every problem; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Load a file loaded before again, replacing the earlier load.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct ImportCentralArgs {
    /// The CSV file (Kommune;Opgave;Dato;Antal).
    pub file: std::path::PathBuf,
    /// SLVBTJN (self-service) or DOKUD (Digital Post).
    #[arg(long, value_parser = ["SLVBTJN", "DOKUD"])]
    pub channel: String,
    /// Show what the file holds and every problem; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Load a file loaded before again, replacing the earlier load.
    #[arg(long)]
    pub replace: bool,
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
    /// Replace the earlier import of the same file, and the earlier
    /// imports with rows on the file's units, tasks, channels and days.
    #[arg(long, conflicts_with = "add")]
    pub replace: bool,
    /// Add the file's rows to earlier imports on the same units, tasks,
    /// channels and days (never to an import of the same rows).
    #[arg(long)]
    pub add: bool,
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
            "Advarsel: {} henvendelser i filen ligger på {} {}, hvor enhederne selv har \
             registreret {} henvendelser i værktøjet. Tjek, at de ikke tælles to gange.",
            o.file_inquiries,
            o.cells,
            if o.cells == 1 {
                "dag og kanal"
            } else {
                "dage og kanaler"
            },
            o.tool_inquiries
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
    if let Some(earlier) = &p.earlier {
        println!(
            "Advarsel: {} Angiv --replace for at erstatte de tidligere indlæsninger eller --add \
             for at lægge rækkerne til dem.",
            earlier.summary_da()
        );
    }
}

pub async fn run(store: &dyn Store, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Registrations(args) => registrations(store, args).await,
        ImportCommand::Web(args) => import_web(store, &args).await,
        ImportCommand::Central(args) => import_central(store, &args).await,
        ImportCommand::Totals(args) => crate::totals::import_totals(store, &args).await,
        ImportCommand::Cdr(args) => crate::totals::import_cdr(store, &args).await,
        ImportCommand::Setup(args) => import_setup(store, &args).await,
        ImportCommand::Calls(args) => crate::hotline::import_calls(store, &args).await,
    }
}

async fn import_setup(store: &dyn Store, args: &ImportSetupArgs) -> anyhow::Result<()> {
    use komhen_core::setup::transfer;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("{} kunne ikke læses", args.file.display()))?;
    let document = transfer::SetupDocument::from_json(&bytes)?;
    let done = transfer::import_setup(store, &Actor::command_line(), &document).await?;
    if done.changes == 0 {
        println!(
            "Kommune {} har allerede hele opsætningen; intet er ændret.",
            done.municipality
        );
    } else {
        println!(
            "Opsætningen af kommune {} er indlæst: {} forvaltninger, {} egne opgaver, {} \
             spørgsmål, {} enheder og {} egne kanalpriser oprettet ({} ændringer i én \
             transaktion). Enhederne har ingen adgangskode endnu: giv dem en under Opsætning.",
            done.municipality,
            done.departments,
            done.tasks,
            done.questions,
            done.units,
            done.prices,
            done.changes
        );
    }
    Ok(())
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
    let preview = files::preview(store, municipality, &upload).await?;
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
    let imported = files::import(
        store,
        &Actor::command_line(),
        municipality,
        &upload,
        match (args.replace, args.add) {
            (true, _) => Choice::Replace,
            (_, true) => Choice::Add,
            _ => Choice::Unmade,
        },
        &mut progress,
    )
    .await;
    bar.finish_and_clear();
    let imported = imported?;
    let replaced: Vec<String> = imported.replaced.iter().map(|b| b.id.to_string()).collect();
    println!(
        "Indlæst som batch {}: {} rækker, {} henvendelser.{}",
        imported.batch.id,
        imported.rows,
        imported.inquiries,
        match replaced.as_slice() {
            [] => String::new(),
            [one] => format!(" Erstattede batch {one}."),
            _ => format!(" Erstattede batch {}.", replaced.join(", ")),
        }
    );
    Ok(())
}

/// `komhen import web`: preview, then (unless `--dry-run`) import.
pub(crate) async fn import_web(store: &dyn Store, args: &ImportWebArgs) -> anyhow::Result<()> {
    use komhen_core::intake::website::{self, Limits, ReportKind, WebUpload};
    let code = komhen_domain::MunicipalityCode::parse(&args.municipality)?;
    let period = args
        .date
        .as_deref()
        .map(komhen_domain::ReportPeriod::parse)
        .transpose()?;
    let name = file_name(&args.file);
    let upload = WebUpload {
        path: &args.file,
        file_name: &name,
        period,
        limits: Limits::default(),
    };
    let preview = website::preview_web(store, code, &upload).await?;
    println!(
        "{}: {} ({}), {} rækker.",
        preview.file_name,
        preview.kind.map_or("ukendt rapport", ReportKind::label_da),
        if preview.format.is_empty() {
            "–"
        } else {
            &preview.format
        },
        preview.rows
    );
    for task in &preview.by_task {
        println!(
            "  {} {}: {} besøg på {} dage",
            task.task.kle, task.task.name, task.visits, task.days
        );
    }
    if preview.kind == Some(ReportKind::Pages) {
        println!(
            "Henvendelser: {} besøg bliver til {} rækker (én pr. opgave og dag).",
            preview.inquiries,
            preview.registration_rows()
        );
        if preview.unmapped_pages > 0 {
            println!(
                "Sider uden opgave (gemmes ikke): {} sider med {} besøg; flest besøg:",
                preview.unmapped_pages, preview.unmapped_visits
            );
            for page in &preview.unmapped {
                println!("  {} {}", page.visits, page.page);
            }
        }
    }
    for (period, visits) in &preview.sessions {
        println!("Besøg på hjemmesiden {}: {visits}", period.label_da());
    }
    for warning in &preview.warnings {
        println!("Bemærk: {warning}");
    }
    if let Some(earlier) = &preview.duplicate_of {
        println!(
            "Filen er indlæst før ({}).",
            komhen_domain::danish_local(earlier.created_at).format("%d-%m-%Y %H:%M")
        );
    }
    if !preview.problems.is_empty() {
        print_problems(&preview.problems);
        anyhow::bail!("filen er ikke indlæst");
    }
    if args.dry_run {
        println!("Prøvekørsel: intet er gemt.");
        return Ok(());
    }
    let imported =
        website::import_web(store, &Actor::command_line(), code, &upload, args.replace).await?;
    println!(
        "Indlæst som indlæsning {}: {} {} ({}){}.",
        imported.batch.id,
        imported.rows,
        match imported.kind {
            ReportKind::Pages => "rækker",
            ReportKind::Visits => "totaltal",
        },
        match imported.kind {
            ReportKind::Pages => format!("{} henvendelser", imported.count),
            ReportKind::Visits => format!("{} besøg", imported.count),
        },
        if imported.replaced {
            ", den tidligere indlæsning af filen er erstattet"
        } else {
            ""
        }
    );
    Ok(())
}

/// `komhen import central`: preview, then (unless `--dry-run`) load.
pub(crate) async fn import_central(
    store: &dyn Store,
    args: &ImportCentralArgs,
) -> anyhow::Result<()> {
    use komhen_core::intake::central::{self, CentralChannel, CentralUpload};
    let channel = CentralChannel::parse(&args.channel)
        .with_context(|| format!("ukendt kanal {}; brug SLVBTJN eller DOKUD", args.channel))?;
    let name = file_name(&args.file);
    let upload = CentralUpload {
        channel,
        path: &args.file,
        file_name: &name,
        limits: komhen_core::intake::website::Limits::default(),
    };
    let preview = central::preview_central(store, &upload).await?;
    println!(
        "{}: {} ({}), {} rækker, {} til indlæsning, {} med antal 0; {} henvendelser.",
        preview.file_name,
        channel.label_da(),
        if preview.format.is_empty() {
            "–"
        } else {
            &preview.format
        },
        preview.rows,
        preview.valid_rows,
        preview.zero_rows,
        preview.inquiries
    );
    for part in &preview.left_out {
        println!(
            "Springes over (indlæser selv): {} ({}), {} rækker, {} henvendelser",
            part.name, part.municipality, part.rows, part.inquiries
        );
    }
    println!("Kommuner med rækker: {}.", preview.loaded.len());
    if !preview.problems.is_empty() {
        print_problems(&preview.problems);
        anyhow::bail!("filen er ikke indlæst");
    }
    if args.dry_run {
        println!("Prøvekørsel: intet er gemt.");
        return Ok(());
    }
    let imported = central::import_central(
        store,
        &Actor::command_line(),
        &upload,
        args.replace,
        &mut |_| {},
    )
    .await?;
    println!(
        "Indlæst som central indlæsning {}: {} rækker, {} henvendelser i {} kommuner{}.",
        imported.batch.id,
        imported.rows,
        imported.inquiries,
        imported.municipalities,
        if imported.replaced {
            "; den tidligere indlæsning af filen er erstattet"
        } else {
            ""
        }
    );
    Ok(())
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fil.csv".into())
}

/// Prints a file's problems: the groups, then the first ones in full.
fn print_problems(problems: &komhen_core::intake::website::ProblemSummary) {
    println!(
        "{}; intet er gemt.",
        problems.counted_da(komhen_ingest::RowWord::Row)
    );
    for group in problems.groups() {
        println!(
            "  {} ({}): {} gange, første linjer {}: {}",
            group.column.as_deref().unwrap_or("hele linjen"),
            group.kind.label_da(),
            group.count,
            group
                .first_lines
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            group.example
        );
    }
    for problem in problems.kept().iter().take(50) {
        println!("  {problem}");
    }
}
