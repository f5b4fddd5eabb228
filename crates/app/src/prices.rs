//! `komhen prices`: the national price list and a municipality's own, as
//! the price pages keep them (checked, audited, the same rule of which
//! price is in force), from the command line.

use clap::{Args, Subcommand};
use komhen_core::accounts::access::Actor;
use komhen_core::economics::prices::{self, kroner, PriceInput};
use komhen_domain::{ChannelPriceId, MunicipalityCode};
use komhen_store::Store;

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Print the prices: the national list, or with --municipality the
    /// national list and the municipality's own.
    List(ListArgs),
    /// Keep a price (replacing one of the same channel, task and date).
    Set(SetArgs),
    /// Remove a price by its id (as `list` prints it).
    Remove(RemoveArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The municipality's code, e.g. 259; without it, the national list.
    #[arg(long)]
    pub municipality: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The municipality's code for its own price; without it, a national price.
    #[arg(long)]
    pub municipality: Option<String>,
    /// The channel's code, e.g. TLFIND.
    #[arg(long)]
    pub channel: String,
    /// A KLE number or KOMHEN code; without it, every task of the channel.
    #[arg(long, default_value = "")]
    pub task: String,
    /// The first day the price applies: 2025-01-01 or 01-01-2025.
    #[arg(long)]
    pub from: String,
    /// Kroner per inquiry, e.g. 52,75.
    #[arg(long, default_value = "")]
    pub amount: String,
    /// Minutes per inquiry (with --hourly-cost), e.g. 4,5.
    #[arg(long, default_value = "")]
    pub minutes: String,
    /// Kroner per hour of staff time (with --minutes).
    #[arg(long, default_value = "")]
    pub hourly_cost: String,
    /// Where the price comes from.
    #[arg(long)]
    pub source: String,
    /// The year the price is reckoned in (default: the year of --from).
    #[arg(long, default_value = "")]
    pub year: String,
    /// An example price, marked so wherever it is shown.
    #[arg(long)]
    pub example: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The municipality's code for one of its own prices; without it, national.
    #[arg(long)]
    pub municipality: Option<String>,
    /// The price's id.
    pub id: i64,
}

fn municipality(code: Option<&str>) -> anyhow::Result<Option<MunicipalityCode>> {
    Ok(code.map(MunicipalityCode::parse).transpose()?)
}

pub(crate) async fn run(store: &dyn Store, command: PricesCommand) -> anyhow::Result<()> {
    let actor = Actor::command_line();
    match command {
        PricesCommand::List(args) => {
            let scope = municipality(args.municipality.as_deref())?;
            println!("id;kommune;kanal;opgave_id;gælder_fra;pris;udregning;kilde;år;eksempel");
            for p in store.list_channel_prices(scope).await? {
                let reckoning = prices::reckoning(p.basis);
                println!(
                    "{};{};{};{};{};{};{};{};{};{}",
                    p.id,
                    p.municipality
                        .map_or_else(|| "national".to_owned(), |m| m.to_string()),
                    p.channel,
                    p.task.map_or_else(String::new, |t| t.0.to_string()),
                    p.valid_from,
                    kroner(p.price_ore),
                    reckoning,
                    p.source.replace(';', ","),
                    p.source_year,
                    if p.example { "ja" } else { "nej" }
                );
            }
            Ok(())
        }
        PricesCommand::Set(args) => {
            let scope = municipality(args.municipality.as_deref())?;
            let input = PriceInput {
                channel: args.channel,
                task: args.task,
                valid_from: args.from,
                amount: args.amount,
                minutes: args.minutes,
                hourly_cost: args.hourly_cost,
                source: args.source,
                source_year: args.year,
                example: args.example,
            };
            let id = prices::set_price(store, &actor, scope, &input, chrono::Utc::now()).await?;
            let kept = store
                .list_channel_prices(scope)
                .await?
                .into_iter()
                .find(|p| p.id == id);
            if let Some(p) = kept {
                println!(
                    "Prisen er gemt (id {id}): {} pr. henvendelse i {} fra {}.",
                    kroner(p.price_ore),
                    p.channel,
                    p.valid_from.format("%d-%m-%Y")
                );
            }
            Ok(())
        }
        PricesCommand::Remove(args) => {
            let scope = municipality(args.municipality.as_deref())?;
            prices::remove_price(store, &actor, scope, ChannelPriceId(args.id)).await?;
            println!("Prisen med id {} er fjernet.", args.id);
            Ok(())
        }
    }
}
