//! `komhen hotline`: a joint hotline from the command line — the line, its
//! members, queues, opening hours and prices, its calls (the same preview,
//! rules and all-or-nothing storing as the upload page), and its figures:
//! key figures, the staffing split, a proposed group, the Erlang plan and a
//! member's cost-sharing statement. Every figure is `komhen_core`'s
//! (`hotline::report`); this module only reads arguments and prints.

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use clap::{Args, Subcommand};
use komhen_core::accounts::access::Actor;
use komhen_core::economics::prices::kroner;
use komhen_core::economics::prices::millikroner;
use komhen_core::hotline::admin::{self, Line};
use komhen_core::hotline::calls::{self, CallUpload, CallsPreview};
use komhen_core::hotline::desk;
use komhen_core::hotline::figures::{Grouping, KeyFigures};
use komhen_core::hotline::report::{self, PeriodFigures};
use komhen_core::hotline::staffing::Split;
use komhen_core::reports::parse_date;
use komhen_core::reports::tabular::{decimal_da, thousands, Cell, Table};
use komhen_domain::hotline::MemberKind;
use komhen_domain::{month_label_da, HotlineId, MunicipalityCode, StatementId};
use komhen_store::{HotlineMember, NewHotlinePrice, Store};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum HotlineCommand {
    /// Print the lines: id, name and the members today.
    List,
    /// Create a line with the reference line's settings; prints its id.
    Create(CreateArgs),
    /// Add a member municipality, or end a membership.
    #[command(subcommand)]
    Member(MemberCommand),
    /// The units that answer the line (they register its calls in the
    /// registration tool): list, add or remove.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Set the queue names of the line's calls (none: every call of a file
    /// is the line's).
    Queues(QueuesArgs),
    /// Set the opening hours, e.g. --hverdage 08:00-16:00 --fredag
    /// 08:00-14:00; days not given are closed.
    Hours(HoursArgs),
    /// Keep a price rule of the cost sharing from a day.
    Price(PriceArgs),
    /// Import a file of calls (Asterisk queue_log or CSV): every problem
    /// first, then all calls or none.
    Import(ImportArgs),
    /// Key figures of a period, per group, as a table, CSV or JSON.
    Figures(FiguresArgs),
    /// The line's weekly agent-hours split between the members that staff
    /// shifts, by population.
    Split(SplitArgs),
    /// A proposed group of municipalities measured against the reference
    /// line.
    Proposed(ProposedArgs),
    /// The Erlang staffing plan per opening hour against the roster.
    Plan(PlanArgs),
    /// A member's cost-sharing statement for whole months: a preview, or
    /// issued with --udsted.
    Statement(StatementArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The line's name.
    #[arg(long = "name")]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a member from a day.
    Add(MemberAddArgs),
    /// End a member's open membership: --til is its first day out.
    End(MemberEndArgs),
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Print the units that answer the line.
    List(UnitListArgs),
    /// Make a unit of a staffing member one that answers the line.
    Add(UnitArgs),
    /// Stop a unit answering the line (its registered calls stay).
    Remove(UnitArgs),
}

#[derive(Debug, Args)]
pub struct UnitListArgs {
    /// The line's id.
    pub line: i64,
}

#[derive(Debug, Args)]
pub struct UnitArgs {
    /// The line's id.
    pub line: i64,
    /// The unit's login, e.g. 751hotline.
    #[arg(long)]
    pub enhed: String,
}

#[derive(Debug, Args)]
pub struct MemberAddArgs {
    /// The line's id (as `list` prints it).
    pub line: i64,
    /// The municipality's code, e.g. 825.
    #[arg(long)]
    pub kommune: String,
    /// The first day of the membership: 2026-01-01 or 01-01-2026.
    #[arg(long)]
    pub fra: String,
    /// The first day it is no longer a member, when known.
    #[arg(long)]
    pub til: Option<String>,
    /// The member pays only and staffs no shifts.
    #[arg(long)]
    pub betaler_kun: bool,
}

#[derive(Debug, Args)]
pub struct MemberEndArgs {
    /// The line's id.
    pub line: i64,
    /// The municipality's code.
    #[arg(long)]
    pub kommune: String,
    /// The first day it is no longer a member.
    #[arg(long)]
    pub til: String,
}

#[derive(Debug, Args)]
pub struct QueuesArgs {
    /// The line's id.
    pub line: i64,
    /// The queue names (none: every call of a file is the line's).
    pub queues: Vec<String>,
}

/// Opening hours as `HH:MM-HH:MM`.
type Interval = (NaiveTime, NaiveTime);

#[derive(Debug, Args)]
pub struct HoursArgs {
    /// The line's id.
    pub line: i64,
    /// Monday to Friday, e.g. 08:00-16:00 (a day's own option wins).
    #[arg(long, value_parser = parse_interval)]
    pub hverdage: Option<Interval>,
    #[arg(long, value_parser = parse_interval)]
    pub mandag: Option<Interval>,
    #[arg(long, value_parser = parse_interval)]
    pub tirsdag: Option<Interval>,
    #[arg(long, value_parser = parse_interval)]
    pub onsdag: Option<Interval>,
    #[arg(long, value_parser = parse_interval)]
    pub torsdag: Option<Interval>,
    #[arg(long, value_parser = parse_interval)]
    pub fredag: Option<Interval>,
    #[arg(long, alias = "lørdag", value_parser = parse_interval)]
    pub loerdag: Option<Interval>,
    #[arg(long, alias = "søndag", value_parser = parse_interval)]
    pub soendag: Option<Interval>,
}

#[derive(Debug, Args)]
pub struct PriceArgs {
    /// The line's id.
    pub line: i64,
    /// The first day the rule applies.
    #[arg(long)]
    pub fra: String,
    /// Kroner per citizen per month, e.g. 0,21.
    #[arg(long)]
    pub pris: String,
    /// Kroner per staffed hour credited to a staffing member, e.g. 272.
    #[arg(long, default_value = "0")]
    pub godtgoerelse: String,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The line's id.
    pub line: i64,
    /// The file: an Asterisk queue_log or a CSV of calls.
    pub file: PathBuf,
    /// Show what the file holds and every problem; store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// The line's id.
    pub line: i64,
    /// The first day: 2026-03-02 or 02-03-2026.
    #[arg(long)]
    pub fra: String,
    /// The last day.
    #[arg(long)]
    pub til: String,
    /// hele (the whole period), uge, ugedag, time (of day) or time_i_ugen.
    #[arg(long, default_value = "hele",
          value_parser = ["hele", "uge", "ugedag", "time", "time_i_ugen", "ugetime"])]
    pub gruppe: String,
    /// table (aligned text), csv (Danish Excel) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The line's id.
    pub line: i64,
    /// The day whose members are split (default: today).
    #[arg(long)]
    pub dag: Option<String>,
    /// table (aligned text) or csv (Danish Excel).
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ProposedArgs {
    /// The line's id (for its shift).
    pub line: i64,
    /// The municipalities' codes, e.g. 825,849,851.
    #[arg(long, value_delimiter = ',', required = true)]
    pub kommuner: Vec<String>,
    /// The year of the populations (default: this year).
    #[arg(long)]
    pub aar: Option<i32>,
    /// table (aligned text) or csv (Danish Excel).
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The line's id.
    pub line: i64,
    #[arg(long)]
    pub fra: String,
    #[arg(long)]
    pub til: String,
    /// table (aligned text) or csv (Danish Excel).
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The line's id.
    pub line: i64,
    /// The member's code.
    #[arg(long)]
    pub kommune: String,
    /// The first month: 2026-01.
    #[arg(long)]
    pub fra: String,
    /// The last month: 2026-03.
    #[arg(long)]
    pub til: String,
    /// Issue the statement (stored whole, never changed) and print its id.
    #[arg(long)]
    pub udsted: bool,
    /// With --udsted: the id of the statement this one corrects.
    #[arg(long, requires_all = ["udsted", "begrundelse"])]
    pub retter: Option<i64>,
    /// Why the statement is corrected.
    #[arg(long, default_value = "")]
    pub begrundelse: String,
}

pub(crate) async fn run(store: &dyn Store, command: HotlineCommand) -> anyhow::Result<()> {
    let actor = Actor::command_line();
    let now = chrono::Utc::now();
    let today = komhen_domain::DateDimensions::of(now).day;
    match command {
        HotlineCommand::List => {
            println!("id;navn;medlemmer_i_dag");
            for row in store.list_hotlines().await? {
                let line = admin::load(store, row.id).await?;
                let members: Vec<String> = line
                    .members_on(today)
                    .iter()
                    .map(|m| format!("{} {}", m.member.municipality, m.name))
                    .collect();
                println!(
                    "{};{};{}",
                    row.id,
                    row.settings.name.replace(';', ","),
                    members.join(", ")
                );
            }
        }
        HotlineCommand::Create(args) => {
            let id = admin::create(store, &actor, admin::default_settings(&args.name), now).await?;
            let line = admin::load(store, id).await?;
            println!("Linjen «{}» er oprettet (id {id}).", line.row.settings.name);
        }
        HotlineCommand::Member(MemberCommand::Add(args)) => {
            let line = load(store, args.line).await?;
            let municipality = MunicipalityCode::parse(&args.kommune)?;
            let member = HotlineMember {
                municipality,
                kind: if args.betaler_kun {
                    MemberKind::PaysOnly
                } else {
                    MemberKind::StaffsAndPays
                },
                joined_on: parse_date(&args.fra)?,
                left_on: args.til.as_deref().map(parse_date).transpose()?,
            };
            admin::add_member(store, &actor, &line, member.clone()).await?;
            let line = admin::load(store, line.id()).await?;
            let name = line
                .members
                .iter()
                .find(|m| m.member == member)
                .map_or_else(|| municipality.to_string(), |m| m.name.clone());
            println!(
                "{name} ({municipality}) er medlem af «{}» fra {}{} ({}).",
                line.row.settings.name,
                day(member.joined_on),
                member
                    .left_on
                    .map_or_else(String::new, |d| format!(", første dag ude {}", day(d))),
                member.kind.label_da().to_lowercase()
            );
        }
        HotlineCommand::Member(MemberCommand::End(args)) => {
            let line = load(store, args.line).await?;
            let municipality = MunicipalityCode::parse(&args.kommune)?;
            let left_on = parse_date(&args.til)?;
            admin::end_member(store, &actor, &line, municipality, left_on).await?;
            println!(
                "Kommune {municipality}s medlemskab af «{}» er afsluttet; første dag ude: {}.",
                line.row.settings.name,
                day(left_on)
            );
        }
        HotlineCommand::Unit(UnitCommand::List(args)) => {
            let line = load(store, args.line).await?;
            let units = desk::units(store, &line).await?;
            if units.is_empty() {
                println!("Ingen enheder besvarer «{}».", line.row.settings.name);
            }
            for u in units {
                println!(
                    "{}\t{}\t{}{}",
                    u.login,
                    u.name,
                    u.municipality_name,
                    if u.active { "" } else { " (lukket)" }
                );
            }
        }
        HotlineCommand::Unit(UnitCommand::Add(args)) => {
            let line = load(store, args.line).await?;
            let unit = desk::add_unit(store, &actor, &line, &args.enhed, now).await?;
            println!(
                "{} ({}) besvarer nu «{}»: dens opkald tæller i borgerens kommune.",
                unit.name, unit.login, line.row.settings.name
            );
        }
        HotlineCommand::Unit(UnitCommand::Remove(args)) => {
            let line = load(store, args.line).await?;
            let units = desk::units(store, &line).await?;
            let unit = units
                .iter()
                .find(|u| u.login == args.enhed.trim())
                .with_context(|| format!("{} besvarer ikke linjen", args.enhed))?;
            desk::remove_unit(store, &actor, &line, unit.unit).await?;
            println!(
                "{} besvarer ikke længere «{}».",
                unit.name, line.row.settings.name
            );
        }
        HotlineCommand::Queues(args) => {
            let line = load(store, args.line).await?;
            let queues = admin::set_queues(store, &actor, &line, &args.queues.join(",")).await?;
            if queues.is_empty() {
                println!("Linjen har ingen kønavne: alle en fils opkald er linjens.");
            } else {
                println!("Linjens køer: {}.", queues.join(", "));
            }
        }
        HotlineCommand::Hours(args) => {
            let line = load(store, args.line).await?;
            let or_weekday = |day: Option<Interval>| day.or(args.hverdage);
            let days = [
                or_weekday(args.mandag),
                or_weekday(args.tirsdag),
                or_weekday(args.onsdag),
                or_weekday(args.torsdag),
                or_weekday(args.fredag),
                args.loerdag,
                args.soendag,
            ];
            admin::set_opening_hours(store, &actor, &line, days).await?;
            let line = admin::load(store, line.id()).await?;
            println!("Åbningstiden for «{}» er gemt:", line.row.settings.name);
            print_opening(&line);
        }
        HotlineCommand::Price(args) => {
            let line = load(store, args.line).await?;
            let price_millikr = komhen_core::economics::prices::parse_millikroner(&args.pris)
                .with_context(|| format!("«{}» er ikke et beløb som 0,21", args.pris))?;
            let credit_ore_per_hour =
                komhen_core::economics::prices::parse_kroner(&args.godtgoerelse)
                    .with_context(|| format!("«{}» er ikke et beløb som 272", args.godtgoerelse))?;
            let price = NewHotlinePrice {
                hotline: line.id(),
                valid_from: parse_date(&args.fra)?,
                price_millikr,
                credit_ore_per_hour,
                note: args.note,
                set_by: actor.as_str().to_owned(),
                set_at: now,
            };
            admin::set_price(store, &actor, &line, price.clone()).await?;
            println!(
                "Prisen fra {} er gemt: {} pr. borger pr. måned, godtgørelse {} pr. bemandet time.",
                day(price.valid_from),
                millikroner(price.price_millikr),
                kroner(price.credit_ore_per_hour)
            );
        }
        HotlineCommand::Import(args) => import(store, &actor, &args).await?,
        HotlineCommand::Figures(args) => figures(store, &args).await?,
        HotlineCommand::Split(args) => {
            let line = load(store, args.line).await?;
            let on = args.dag.as_deref().map(parse_date).transpose()?;
            let on = on.unwrap_or(today);
            let (split, sources) = report::staffing_split(store, &line, on).await?;
            let table = split_table(&split, |code| {
                sources.iter().find(|s| s.code == code).and_then(|s| s.year)
            });
            if args.format == "csv" {
                return write_csv(&table);
            }
            println!(
                "«{}» den {}: {} medarbejdertimer om ugen; en vagt er {} timer med {} \
                 medarbejdere.",
                line.row.settings.name,
                day(on),
                decimal_da(split.weekly_agent_hours, 2),
                decimal_da(split.shift.hours, 2),
                split.shift.agents
            );
            print_aligned(&table);
            for s in sources.iter().filter(|s| s.year.is_none()) {
                println!("{} ({}) har intet folketal og er ikke med.", s.name, s.code);
            }
        }
        HotlineCommand::Proposed(args) => {
            let line = load(store, args.line).await?;
            let codes = args
                .kommuner
                .iter()
                .filter(|c| !c.trim().is_empty())
                .map(|c| MunicipalityCode::parse(c.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            let year = args.aar.unwrap_or_else(|| chrono::Datelike::year(&today));
            let (group, sources) = report::proposed(store, &line, &codes, year).await?;
            let table = split_table(&group.split, |code| {
                sources.iter().find(|s| s.code == code).and_then(|s| s.year)
            });
            if args.format == "csv" {
                return write_csv(&table);
            }
            println!(
                "Gruppen har {} indbyggere ({year}) = {} % af referencelinjens {}, og skal \
                 bruge {} medarbejdertimer om ugen (referencen: {}).",
                thousands(group.population),
                decimal_da(group.share_f64() * 100.0, 2),
                thousands(group.reference_population),
                decimal_da(group.hours_per_week, 2),
                decimal_da(group.reference_weekly_agent_hours, 2)
            );
            print_aligned(&table);
        }
        HotlineCommand::Plan(args) => {
            let line = load(store, args.line).await?;
            let (from, to) = (parse_date(&args.fra)?, parse_date(&args.til)?);
            let plan = report::plan(store, &line, from, to).await?;
            let table = plan_table(&plan);
            if args.format == "csv" {
                return write_csv(&table);
            }
            println!(
                "Bemandingsplan for «{}» {} – {}: serviceniveau {} % besvaret inden for {} s.",
                line.row.settings.name,
                day(plan.from),
                day(plan.to),
                decimal_da(plan.settings.service_target * 100.0, 0),
                plan.settings.service_seconds
            );
            print_aligned(&table);
            println!(
                "Behandlingstid i perioden: {}; tålmodighed: {} ({} tabte opkald i åbningstiden).",
                seconds(plan.overall_handle_seconds),
                seconds(plan.patience_seconds),
                plan.lost_in_hours
            );
            println!(
                "Timer med for få: {}; med for mange: {}. Opkald uden for åbningstiden \
                 (ikke planlagt): {}.",
                plan.short_slots(),
                plan.idle_slots(),
                plan.outside_hours
            );
            let overall = plan.slots.iter().filter(|s| s.handle_is_overall).count();
            if overall > 0 {
                println!(
                    "{overall} timer bruger periodens behandlingstid: de har færre end {} \
                     besvarede opkald.",
                    komhen_core::hotline::plan::MIN_ANSWERED_FOR_SLOT_HANDLE
                );
            }
        }
        HotlineCommand::Statement(args) => statement(store, &actor, &args).await?,
    }
    Ok(())
}

async fn load(store: &dyn Store, line: i64) -> anyhow::Result<Line> {
    Ok(admin::load(store, HotlineId(line)).await?)
}

fn day(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |s| format!("{} s", decimal_da(s, 1)))
}

/// `08:00-16:00` (or with an en dash).
fn parse_interval(value: &str) -> Result<Interval, String> {
    let bad = || format!("«{value}» er ikke et tidsrum som 08:00-16:00");
    let (opens, closes) = value.split_once(['-', '–']).ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    Ok((time(opens)?, time(closes)?))
}

fn print_opening(line: &Line) {
    const NAMES: [&str; 7] = [
        "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
    ];
    for (name, hours) in NAMES.iter().zip(line.opening.days.iter()) {
        match hours {
            Some((opens, closes)) => println!(
                "  {name:<8} {}-{}",
                opens.format("%H:%M"),
                closes.format("%H:%M")
            ),
            None => println!("  {name:<8} lukket"),
        }
    }
}

/// `komhen hotline import`: preview, every problem, then (unless
/// `--dry-run`) all calls or none.
/// `komhen import calls`: the hotline import under the other imports.
pub(crate) async fn import_calls(store: &dyn Store, args: &ImportArgs) -> anyhow::Result<()> {
    import(store, &Actor::command_line(), args).await
}

async fn import(store: &dyn Store, actor: &Actor, args: &ImportArgs) -> anyhow::Result<()> {
    let line = load(store, args.line).await?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "opkald.csv".into());
    let upload = CallUpload {
        path: &args.file,
        file_name: &file_name,
    };
    let preview = calls::preview_calls(store, &line, &upload).await?;
    print_calls_preview(&preview);
    if !preview.problems.is_empty() {
        println!(
            "{}; intet er gemt.",
            preview.problems.counted_da(komhen_ingest::RowWord::Line)
        );
        for problem in preview.problems.kept() {
            println!("  {problem}");
        }
        let kept = preview.problems.kept().len() as u64;
        if preview.problems.total() > kept {
            println!(
                "  … og {} fejl mere (de første {kept} er vist).",
                preview.problems.total() - kept
            );
        }
        anyhow::bail!("filen er ikke indlæst");
    }
    if args.dry_run {
        if let Some(before) = &preview.same_file {
            println!("{}", komhen_core::hotline::calls::same_file_message(before));
        }
        println!("Prøvekørsel: intet er gemt.");
        return Ok(());
    }
    let imported = calls::import_calls(store, actor, &line, &upload).await?;
    println!(
        "Indlæst som fil {}: {} opkald tilføjet, {} var gemt før.",
        imported.batch, imported.added, imported.already_stored
    );
    Ok(())
}

fn print_calls_preview(p: &CallsPreview) {
    println!(
        "{} «{}»: {} opkald{}.",
        p.format.map_or("Ukendt format", |f| f.label_da()),
        p.file_name,
        p.calls,
        match (p.first_arrival, p.last_arrival) {
            (Some(first), Some(last)) => format!(
                " fra {} til {}",
                komhen_domain::danish_local(first).format("%d-%m-%Y %H:%M"),
                komhen_domain::danish_local(last).format("%d-%m-%Y %H:%M")
            ),
            _ => String::new(),
        }
    );
    for (outcome, n) in &p.by_outcome {
        println!("  {:<30} {n:>10}", outcome.label_da());
    }
    println!(
        "Uden for åbningstid: {}. Uden slut: {}. Viderestillet: {}. Andre køer: {} opkald.",
        p.outside_hours, p.no_end, p.transferred, p.other_queue_calls
    );
    for (queue, n) in &p.other_queues {
        println!("  kø {queue:<27} {n:>10}");
    }
    if let Some(q) = &p.queue_log {
        let unknown: Vec<String> = q
            .unknown_events
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        println!(
            "Køloggen: {} linjer, {} hændelser om opkald, {} om køer og medarbejdere sprunget \
             over, {} ukendte hændelser{}.",
            q.lines,
            q.call_events,
            q.skipped_events,
            q.unknown_total(),
            if unknown.is_empty() {
                String::new()
            } else {
                format!(": {}", unknown.join(", "))
            }
        );
    }
}

/// `komhen hotline figures`.
async fn figures(store: &dyn Store, args: &FiguresArgs) -> anyhow::Result<()> {
    let line = load(store, args.line).await?;
    let code = args.gruppe.as_str();
    let grouping = Grouping::parse(code).with_context(|| format!("ukendt gruppe {code}"))?;
    let (from, to) = (parse_date(&args.fra)?, parse_date(&args.til)?);
    let period = report::period_figures(store, &line, from, to, grouping).await?;
    if args.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&figures_json(&line, &period))?
        );
        return Ok(());
    }
    let table = report::figures_table(&period);
    if args.format == "csv" {
        return write_csv(&table);
    }
    let s = &line.row.settings;
    println!(
        "«{}» {} – {}, {}. Serviceniveau: besvaret inden for {} s, mål {} %.",
        s.name,
        day(period.from),
        day(period.to),
        if grouping == Grouping::Whole {
            "hele perioden".to_owned()
        } else {
            format!("pr. {}", grouping.label_da().to_lowercase())
        },
        s.service_seconds,
        s.service_percent
    );
    print_aligned(&table);
    match (period.cost_ore, period.cost_per_answered_ore) {
        (Some(cost), Some(per)) => println!(
            "Linjens omkostning i perioden: {}; pr. besvaret opkald: {}",
            kroner(cost),
            kroner(per)
        ),
        (Some(cost), None) => println!(
            "Linjens omkostning i perioden: {}; ingen besvarede opkald.",
            kroner(cost)
        ),
        _ => println!("Ingen pris dækker perioden: ingen omkostning pr. besvaret opkald."),
    }
    Ok(())
}

fn key_figures_json(f: &KeyFigures) -> Value {
    json!({
        "tilbudt": f.offered,
        "inden_for_aabningstid": f.inside_hours,
        "uden_for_aabningstid": f.outside_hours,
        "besvaret": f.answered,
        "tabt": f.lost,
        "kort_opgivet": f.short_abandons,
        "uvist_udfald": f.unknown_outcome,
        "uden_slut": f.no_end,
        "viderestillet": f.transferred,
        "besvaret_i_tide": f.answered_in_time,
        "serviceniveau_grundlag": f.service_base,
        "serviceniveau": f.service_level,
        "naar_maalet": f.meets_target,
        "ventetid_gns_s": f.mean_wait_seconds,
        "ventetid_median_s": f.median_wait_seconds,
        "ventetid_p90_s": f.p90_wait_seconds,
        "samtaletid_gns_s": f.mean_talk_seconds,
        "flest_samtidige": f.max_concurrent,
        "registrerede_opkald": f.outcomes.registered,
        "loest_straks": f.outcomes.solved_at_once,
        "henvist_fremmoede": f.outcomes.referred_to_attendance,
        "henvist_andet": f.outcomes.referred_elsewhere,
        "andel_loest_straks": f.outcomes.solved_share(),
        "andel_henvist_fremmoede": f.outcomes.attendance_share(),
    })
}

fn figures_json(line: &Line, period: &PeriodFigures) -> Value {
    let s = &line.row.settings;
    json!({
        "linje": line.id().0,
        "navn": s.name,
        "fra": period.from.to_string(),
        "til": period.to.to_string(),
        "gruppering": period.figures.grouping.code(),
        "serviceniveau_sekunder": s.service_seconds,
        "serviceniveau_maal_procent": s.service_percent,
        "kort_opgivet_sekunder": s.short_abandon_seconds,
        "omkostning_oere": period.cost_ore,
        "omkostning_pr_besvaret_oere": period.cost_per_answered_ore,
        "grupper": period.figures.groups.iter().map(|g| {
            let mut v = key_figures_json(&g.figures);
            if let Some(o) = v.as_object_mut() {
                o.insert("gruppe".into(), json!(g.key.label_da()));
            }
            v
        }).collect::<Vec<_>>(),
        "i_alt": key_figures_json(&period.figures.whole),
    })
}

fn split_table(split: &Split, year_of: impl Fn(MunicipalityCode) -> Option<i32>) -> Table {
    let mut rows: Vec<Vec<Cell>> = split
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.code.to_string()),
                Cell::Text(r.name.clone()),
                Cell::Integer(r.population),
                year_of(r.code).map_or(Cell::Empty, |y| Cell::Text(y.to_string())),
                Cell::Decimal(r.share_percent(), 2),
                Cell::Decimal(r.hours_per_week, 2),
                Cell::Decimal(r.shifts_per_year, 1),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text("I alt".into()),
        Cell::Empty,
        Cell::Integer(split.total_population),
        Cell::Empty,
        Cell::Empty,
        Cell::Decimal(split.weekly_agent_hours, 2),
        Cell::Decimal(split.total_shifts_per_year, 1),
    ]);
    Table {
        header: [
            "Kommune",
            "Navn",
            "Indbyggere",
            "Folketal fra",
            "Andel (%)",
            "Timer/uge",
            "Vagter/år",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows,
    }
}

fn plan_table(plan: &komhen_core::hotline::plan::Plan) -> Table {
    let agents = |n: Option<u32>| n.map_or(Cell::Empty, |n| Cell::Integer(i64::from(n)));
    let rows = plan
        .slots
        .iter()
        .map(|s| {
            vec![
                Cell::Text(s.label_da()),
                Cell::Integer(i64::try_from(s.calls).unwrap_or(i64::MAX)),
                Cell::Decimal(s.offered_per_hour, 2),
                s.handle_seconds
                    .map_or(Cell::Empty, |h| Cell::Decimal(h, 0)),
                Cell::Decimal(s.traffic, 2),
                agents(s.erlang_c_agents),
                agents(s.erlang_a_agents),
                Cell::Decimal(s.roster_agents, 1),
                s.roster_service_level.map_or(Cell::Empty, Cell::Share),
                Cell::Text(s.verdict.label_da().to_owned()),
            ]
        })
        .collect();
    Table {
        header: [
            "Tidsrum",
            "Opkald",
            "Opkald/time",
            "Behandlingstid (s)",
            "Trafik (erl.)",
            "Erlang C",
            "Erlang A",
            "Vagtplan",
            "Serviceniveau",
            "Vurdering",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows,
    }
}

/// A month as `2026-01` (or any day of it).
fn parse_month(value: &str) -> anyhow::Result<NaiveDate> {
    komhen_core::reports::parse_month(value)
        .with_context(|| format!("«{}» er ikke en måned; skriv fx 2026-01", value.trim()))
}

/// `komhen hotline statement`: the preview with every input and month,
/// then (with `--udsted`) the issued statement's id.
async fn statement(store: &dyn Store, actor: &Actor, args: &StatementArgs) -> anyhow::Result<()> {
    let line = load(store, args.line).await?;
    let code = MunicipalityCode::parse(&args.kommune)?;
    let (first, last) = (parse_month(&args.fra)?, parse_month(&args.til)?);
    let issued = report::preview_statement(store, &line, code, first, last).await?;
    let s = &issued.statement;
    println!(
        "Opgørelse for {} ({}) i «{}», {} – {}.",
        s.name,
        s.code,
        line.row.settings.name,
        month_label_da(s.first_month),
        month_label_da(s.last_month)
    );
    println!("Medlemsform: {}.", s.kind.label_da());
    println!(
        "Indbyggere: {} (folketal 1. januar {}).",
        thousands(s.population),
        issued.population_year
    );
    let rows = s
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(month_label_da(l.month)),
                Cell::Text(if l.charged { "ja" } else { "nej" }.into()),
                Cell::Integer(l.inhabitants),
                Cell::Text(millikroner(l.price_millikr)),
                Cell::Text(kroner(l.base_ore)),
                Cell::Text(if l.in_discount {
                    format!("{} %", l.discount_percent)
                } else {
                    String::new()
                }),
                Cell::Text(kroner(l.discount_ore)),
                Cell::Text(kroner(l.net_ore())),
            ]
        })
        .collect();
    print_aligned_right(&Table {
        header: [
            "Måned",
            "Medlem",
            "Indbyggere",
            "Pris pr. borger",
            "Grundbeløb",
            "Rabat %",
            "Rabat",
            "Netto",
        ]
        .iter()
        .map(|h| (*h).to_owned())
        .collect(),
        rows,
    });
    println!("Grundbeløb: {}", kroner(s.base_ore));
    println!("Startrabat: {}", kroner(s.discount_ore));
    println!(
        "Bemandede timer: {} à {} = godtgørelse {}",
        decimal_da(s.staffed_hours, 2),
        kroner(s.credit_ore_per_hour),
        kroner(s.credit_ore)
    );
    println!(
        "{}: {}",
        s.amount_label_da(),
        kroner(s.amount_due_ore.abs())
    );
    if args.udsted {
        let issue = report::Issue {
            municipality: code,
            first_month: first,
            last_month: last,
            corrects: args.retter.map(StatementId),
            reason: &args.begrundelse,
        };
        let id = report::issue_statement(store, actor, &line, &issue).await?;
        match args.retter {
            Some(earlier) => println!("Opgørelsen er udstedt (id {id}) og retter nr. {earlier}."),
            None => println!("Opgørelsen er udstedt (id {id})."),
        }
    } else {
        println!("Forhåndsvisning: intet er udstedt (udsted med --udsted).");
    }
    Ok(())
}

fn write_csv(table: &Table) -> anyhow::Result<()> {
    use std::io::Write;
    std::io::stdout().write_all(&table.csv()?)?;
    Ok(())
}

fn print_aligned(table: &Table) {
    crate::report::print_aligned(table);
}

/// A table whose amounts are text (kroner with the unit), aligned as
/// numbers except the first two columns.
fn print_aligned_right(table: &Table) {
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::display_da).collect())
        .collect();
    for row in &rows {
        for (i, text) in row.iter().enumerate() {
            widths[i] = widths[i].max(text.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (text, w))| {
                if i < 2 {
                    format!("{text:<w$}")
                } else {
                    format!("{text:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    println!("{}", line(&table.header));
    for row in &rows {
        println!("{}", line(row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_intervals_are_read_as_typed() {
        let (opens, closes) = parse_interval("08:00-16:30").unwrap_or_default();
        assert_eq!(opens.format("%H:%M").to_string(), "08:00");
        assert_eq!(closes.format("%H:%M").to_string(), "16:30");
        assert!(parse_interval("8-16").is_err());
        assert_eq!(
            parse_month("2026-03").ok(),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
    }
}
