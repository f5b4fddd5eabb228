//! `komhen strategy`: a municipality's channel-strategy targets and
//! initiatives, kept as the strategy page keeps them (checked, audited) and
//! shown with the same progress and before/after from the report engine.

use clap::{Args, Subcommand};
use komhen_core::accounts::access::Actor;
use komhen_core::economics::strategy::{
    self, share_da as share, Effect, InitiativeInput, Kept, TargetInput,
};
use komhen_domain::{InitiativeId, MunicipalityCode, TargetId};
use komhen_store::Store;

#[derive(Debug, Subcommand)]
pub enum StrategyCommand {
    /// Print the targets with their progress per counting period and the
    /// initiatives with their before and after (text or JSON).
    List(ListArgs),
    /// Keep a target, e.g. --subject digital --bound min --percent 80
    /// --year 2027 --task 32.06.04.
    Target(TargetArgs),
    /// Keep an initiative with its date.
    Initiative(InitiativeArgs),
    /// Remove a target or an initiative by its id (as `list` prints it).
    Remove(RemoveArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub municipality: String,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    #[arg(long)]
    pub municipality: String,
    /// A KLE number or KOMHEN code; without it, every task.
    #[arg(long, default_value = "")]
    pub task: String,
    /// `digital`, an incoming channel's code (TLFIND) or `medie:<medium>`.
    #[arg(long)]
    pub subject: String,
    /// min (at least) or max (at most).
    #[arg(long, default_value = "min", value_parser = ["min", "max"])]
    pub bound: String,
    #[arg(long)]
    pub percent: String,
    /// The year the target is for.
    #[arg(long)]
    pub year: String,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct InitiativeArgs {
    #[arg(long)]
    pub municipality: String,
    #[arg(long)]
    pub title: String,
    /// The first day: 2027-03-01 or 01-03-2027.
    #[arg(long)]
    pub from: String,
    /// A KLE number or KOMHEN code; without it, every task.
    #[arg(long, default_value = "")]
    pub task: String,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[arg(long)]
    pub municipality: String,
    /// target or initiative.
    #[arg(value_parser = ["target", "initiative"])]
    pub kind: String,
    pub id: i64,
}

pub(crate) async fn run(store: &dyn Store, command: StrategyCommand) -> anyhow::Result<()> {
    let actor = Actor::command_line();
    let now = chrono::Utc::now();
    match command {
        StrategyCommand::List(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let today = komhen_domain::DateDimensions::of(now).day;
            let overview = strategy::overview(store, code, today).await?;
            if args.format == "json" {
                println!("{}", serde_json::to_string_pretty(&overview.json())?);
                return Ok(());
            }
            println!("Mål:");
            for t in &overview.targets {
                println!("  [{}] {}", t.row.id.0, t.text);
                for p in &t.progress {
                    println!(
                        "      {} ({}): {} ({} af {}), {}",
                        p.period,
                        p.dates.label_da(),
                        share(p.share),
                        p.inquiries,
                        p.all,
                        p.met_da().to_lowercase()
                    );
                }
            }
            println!("Initiativer:");
            for i in &overview.initiatives {
                let side = |s: &Option<(String, komhen_core::reports::Report)>| {
                    s.as_ref().map_or_else(
                        || "ingen periode".to_owned(),
                        |(name, r)| {
                            format!("{} digitalt i {name}", share(Effect::digital_share(r)))
                        },
                    )
                };
                println!(
                    "  [{}] {} (fra {}, {}): før {}; efter {}",
                    i.row.id.0,
                    i.row.initiative.title,
                    i.row.initiative.starts_on.format("%d-%m-%Y"),
                    i.task_label,
                    side(&i.effect.before),
                    side(&i.effect.after)
                );
            }
        }
        StrategyCommand::Target(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let input = TargetInput {
                task: args.task,
                subject: args.subject,
                bound: args.bound,
                percent: args.percent,
                by_year: args.year,
                note: args.note,
            };
            let id = strategy::set_target(store, &actor, code, &input, now).await?;
            println!("Målet er gemt (id {}).", id.0);
        }
        StrategyCommand::Initiative(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let input = InitiativeInput {
                task: args.task,
                title: args.title,
                starts_on: args.from,
                note: args.note,
            };
            let id = strategy::set_initiative(store, &actor, code, &input, now).await?;
            println!("Initiativet er gemt (id {}).", id.0);
        }
        StrategyCommand::Remove(args) => {
            let code = MunicipalityCode::parse(&args.municipality)?;
            let kept = if args.kind == "target" {
                Kept::Target(TargetId(args.id))
            } else {
                Kept::Initiative(InitiativeId(args.id))
            };
            strategy::remove(store, &actor, code, kept).await?;
            println!("Fjernet.");
        }
    }
    Ok(())
}
