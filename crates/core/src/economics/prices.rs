//! Channel prices: the national list kept by the national administrator
//! and a municipality's own, which win from their own date; a price per
//! inquiry in a channel, for every task or for one task, stated as an
//! amount or found from time (minutes per inquiry × the staff's cost per
//! hour). Owns parsing and checking a price as typed, keeping and removing
//! it with its audit entry, and [`PriceBook`], the rule of which price is
//! in force for an inquiry.

use crate::accounts::access::Actor;
use crate::setup::{change, clean_name, Entry};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use komhen_domain::{da, dl};
use komhen_domain::{ChannelCode, ChannelPriceId, MunicipalityCode, TaskId};
use komhen_store::{ChannelPriceRow, NewChannelPrice, PriceBasis, SetupChange, Store, TaskRow};
use serde_json::json;
use std::collections::HashMap;

/// The highest price of one inquiry: 100,000 kroner. A higher one is a
/// typing error (øre typed as kroner, a year's cost typed as one inquiry's).
pub const MAX_PRICE_ORE: i64 = 10_000_000;
/// The most minutes one inquiry may take: a working day.
pub const MAX_MINUTES_HUNDREDTHS: i64 = 480 * 100;
/// The highest cost of an hour of staff time: 10,000 kroner.
pub const MAX_HOURLY_COST_ORE: i64 = 1_000_000;
/// The longest source text.
pub const MAX_SOURCE_CHARS: usize = 200;
/// The years a price may be reckoned in.
pub const SOURCE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A price as typed in a form or given on the command line.
#[derive(Debug, Clone, Default)]
pub struct PriceInput {
    /// The channel's code, e.g. `TLFIND`.
    pub channel: String,
    /// Empty: every task of the channel; else the task's KLE number or
    /// KOMHEN code, e.g. `23.09.02` (the municipality's own task of that
    /// code before the national one).
    pub task: String,
    /// `ÅÅÅÅ-MM-DD` or `DD-MM-ÅÅÅÅ`.
    pub valid_from: String,
    /// Kroner per inquiry, e.g. `125,50`; empty when found from time.
    pub amount: String,
    /// Minutes per inquiry, e.g. `4,5` (with `hourly_cost`).
    pub minutes: String,
    /// Kroner per hour of staff time, e.g. `450`.
    pub hourly_cost: String,
    pub source: String,
    /// Empty: the year of `valid_from`.
    pub source_year: String,
    /// An example price, marked so wherever it is used.
    pub example: bool,
}

/// Kroner as typed, Danish or not: `125`, `125,5`, `1.250,50`, `1250.50`,
/// `125 kr.`; in øre. None when it is no amount or has more than two
/// decimals.
pub fn parse_kroner(value: &str) -> Option<i64> {
    parse_fixed(strip_unit(value), 2)
}

/// Kroner with up to three decimals, in thousandths of a krone (a price per
/// citizen: `0,21` and `0,168 kr.` are 210 and 168).
pub fn parse_millikroner(value: &str) -> Option<i64> {
    parse_fixed(strip_unit(value), 3)
}

fn strip_unit(value: &str) -> &str {
    value
        .trim()
        .trim_end_matches('.')
        .trim_end_matches("kr")
        .trim_end_matches("DKK")
        .trim()
}

/// A non-negative number with at most `decimals` decimals, in units of
/// 10^-decimals: the decimal separator is a comma, or a point followed by
/// one to `decimals` digits at the end; any other point or a space groups
/// thousands.
fn parse_fixed(value: &str, decimals: usize) -> Option<i64> {
    if value.is_empty() {
        return None;
    }
    let (whole, fraction) = match value.rfind(',') {
        Some(i) => (&value[..i], &value[i + 1..]),
        None => match value.rfind('.') {
            Some(i) if (1..=decimals).contains(&(value.len() - i - 1)) => {
                (&value[..i], &value[i + 1..])
            }
            _ => (value, ""),
        },
    };
    if fraction.len() > decimals || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = whole
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = digits.parse().ok()?;
    let padded = format!("{fraction:0<decimals$}");
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    whole
        .checked_mul(10_i64.pow(decimals as u32))?
        .checked_add(fraction)
}

/// The price of one inquiry from the minutes it takes and the staff's cost
/// per hour, in øre, rounded half up: minutes / 60 × cost per hour.
pub fn price_from_time(minutes_hundredths: i64, hourly_cost_ore: i64) -> i64 {
    let product = i128::from(minutes_hundredths) * i128::from(hourly_cost_ore);
    let ore = (product + 3_000) / 6_000;
    i64::try_from(ore).unwrap_or(i64::MAX)
}

/// Øre as a Danish amount without the unit: `1.250,50`.
pub fn amount(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let ore = ore.unsigned_abs();
    format!(
        "{sign}{},{:02}",
        crate::reports::tabular::thousands(i64::try_from(ore / 100).unwrap_or(i64::MAX)),
        ore % 100
    )
}

/// Øre as Danish kroner: `1.250,50 kr.`
pub fn kroner(ore: i64) -> String {
    format!("{} kr.", amount(ore))
}

/// Thousandths of a krone as Danish kroner: `0,168 kr.`
pub fn millikroner(millikr: i64) -> String {
    let sign = if millikr < 0 { "-" } else { "" };
    let m = millikr.unsigned_abs();
    format!(
        "{sign}{},{:03} kr.",
        crate::reports::tabular::thousands(i64::try_from(m / 1000).unwrap_or(i64::MAX)),
        m % 1000
    )
}

/// How a price was found, as the pages and the command line say it:
/// `4,5 min. × 450,00 kr. i timen`, or empty for an amount.
pub fn reckoning(basis: PriceBasis) -> String {
    match basis {
        PriceBasis::Amount => String::new(),
        PriceBasis::Time {
            minutes_hundredths,
            hourly_cost_ore,
        } => da!(
            "{} min. × {} i timen",
            hundredths(minutes_hundredths),
            kroner(hourly_cost_ore)
        ),
    }
}

/// Hundredths as a Danish decimal without trailing zeros: `4,5`.
pub fn hundredths(value: i64) -> String {
    let whole = value / 100;
    match value % 100 {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// A task by its KLE number or KOMHEN code: the municipality's own before
/// the national one of the same code.
pub(crate) fn task_by_code<'a>(tasks: &'a [TaskRow], code: &str) -> Option<&'a TaskRow> {
    tasks
        .iter()
        .filter(|t| t.kle.as_str() == code)
        .min_by_key(|t| t.municipality.is_none())
}

/// A price checked: every problem of the input named at once.
fn check(
    input: &PriceInput,
    municipality: Option<MunicipalityCode>,
    tasks: &[TaskRow],
    actor: &Actor,
    now: DateTime<Utc>,
) -> CoreResult<NewChannelPrice> {
    let mut problems = Vec::new();
    let task = match input.task.trim() {
        "" => None,
        code => {
            let found = task_by_code(tasks, code);
            if found.is_none() {
                problems.push(da!(
                    "Opgaven «{code}» findes ikke i {}.",
                    if municipality.is_some() {
                        dl!("kommunens opgaver")
                    } else {
                        dl!("det nationale opgavekatalog")
                    }
                ));
            }
            found.map(|t| t.id)
        }
    };
    check_with_task(input, municipality, task, problems, actor, now)
}

/// A price checked with its task already found: the rest of [`check`],
/// and what a set-up document's price goes through (its task may be one
/// the same import creates). Every problem named at once, with those of
/// the task given in `problems`.
pub(crate) fn check_with_task(
    input: &PriceInput,
    municipality: Option<MunicipalityCode>,
    task: Option<TaskId>,
    mut problems: Vec<String>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> CoreResult<NewChannelPrice> {
    let channel = ChannelCode::parse(&input.channel.trim().to_uppercase())
        .map_err(|_| problems.push(da!("«{}» er ikke en kanal.", input.channel.trim())))
        .ok();
    let valid_from = crate::reports::parse_date(&input.valid_from)
        .map_err(|e| problems.push(da!("Gælder fra: {e}")))
        .ok();
    let amount = input.amount.trim();
    let (minutes, hourly) = (input.minutes.trim(), input.hourly_cost.trim());
    let priced = match (amount.is_empty(), minutes.is_empty() && hourly.is_empty()) {
        (false, true) => match parse_kroner(amount) {
            Some(ore) => Some((ore, PriceBasis::Amount)),
            None => {
                problems.push(da!(
                    "«{amount}» er ikke et beløb; skriv kroner med højst to decimaler, fx 125,50."
                ));
                None
            }
        },
        (true, false) => {
            let minutes_hundredths = parse_fixed(minutes, 2).filter(|&m| m > 0);
            if minutes_hundredths.is_none() {
                problems.push(da!("«{minutes}» er ikke et antal minutter; skriv fx 4,5."));
            }
            let hourly_cost_ore = parse_kroner(hourly).filter(|&h| h > 0);
            if hourly_cost_ore.is_none() {
                problems.push(da!(
                    "«{hourly}» er ikke en timepris; skriv kroner i timen, fx 450."
                ));
            }
            match (minutes_hundredths, hourly_cost_ore) {
                (Some(m), Some(_)) if m > MAX_MINUTES_HUNDREDTHS => {
                    problems.push(da!(
                        "{} minutter for én henvendelse er mere end grænsen på {}.",
                        hundredths(m),
                        hundredths(MAX_MINUTES_HUNDREDTHS)
                    ));
                    None
                }
                (Some(_), Some(h)) if h > MAX_HOURLY_COST_ORE => {
                    problems.push(da!(
                        "En timepris på {} er mere end grænsen på {}.",
                        kroner(h),
                        kroner(MAX_HOURLY_COST_ORE)
                    ));
                    None
                }
                (Some(m), Some(h)) => Some((
                    price_from_time(m, h),
                    PriceBasis::Time {
                        minutes_hundredths: m,
                        hourly_cost_ore: h,
                    },
                )),
                _ => None,
            }
        }
        (false, false) => {
            problems.push(
                dl!("Skriv enten en pris pr. henvendelse eller minutter og timepris, ikke begge.")
                    .to_owned(),
            );
            None
        }
        (true, true) => {
            problems.push(
                dl!("Skriv en pris pr. henvendelse, eller minutter pr. henvendelse og timepris.")
                    .to_owned(),
            );
            None
        }
    };
    if let Some((ore, _)) = priced {
        if ore > MAX_PRICE_ORE {
            problems.push(da!(
                "En pris på {} for én henvendelse er mere end grænsen på {}.",
                kroner(ore),
                kroner(MAX_PRICE_ORE)
            ));
        }
    }
    let source = clean_name(&input.source, dl!("kilden til prisen"), MAX_SOURCE_CHARS)
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let source_year = match input.source_year.trim() {
        "" => valid_from.map(|d| d.year()),
        year => match year.parse::<i32>() {
            Ok(y) if SOURCE_YEARS.contains(&y) => Some(y),
            _ => {
                problems.push(da!(
                    "«{year}» er ikke et årstal mellem {} og {}.",
                    SOURCE_YEARS.start(),
                    SOURCE_YEARS.end()
                ));
                None
            }
        },
    };
    match (channel, valid_from, priced, source, source_year) {
        (Some(channel), Some(valid_from), Some((price_ore, basis)), Some(source), Some(year))
            if problems.is_empty() =>
        {
            Ok(NewChannelPrice {
                municipality,
                channel,
                task,
                valid_from,
                price_ore,
                basis,
                source,
                source_year: year,
                example: input.example,
                set_by: actor.as_str().to_owned(),
                set_at: now,
            })
        }
        _ => Err(CoreError::Invalid(problems.join("\n"))),
    }
}

/// A price's minutes (in hundredths) and hourly cost (in øre) as files
/// and the audit log write them: none for an amount.
pub fn time_parts(basis: PriceBasis) -> (Option<i64>, Option<i64>) {
    match basis {
        PriceBasis::Amount => (None, None),
        PriceBasis::Time {
            minutes_hundredths,
            hourly_cost_ore,
        } => (Some(minutes_hundredths), Some(hourly_cost_ore)),
    }
}

fn price_json(price: &NewChannelPrice) -> serde_json::Value {
    let (minutes, hourly) = time_parts(price.basis);
    json!({
        "channel": price.channel.as_str(),
        "task_id": price.task.map(|t| t.0),
        "valid_from": price.valid_from.to_string(),
        "price_ore": price.price_ore,
        "minutes_hundredths": minutes,
        "hourly_cost_ore": hourly,
        "source": price.source,
        "source_year": price.source_year,
        "example": price.example,
    })
}

fn row_json(row: &ChannelPriceRow) -> serde_json::Value {
    price_json(&NewChannelPrice {
        municipality: row.municipality,
        channel: row.channel.clone(),
        task: row.task,
        valid_from: row.valid_from,
        price_ore: row.price_ore,
        basis: row.basis,
        source: row.source.clone(),
        source_year: row.source_year,
        example: row.example,
        set_by: row.set_by.clone(),
        set_at: row.set_at,
    })
}

/// Keeps a price of the national list (`None`) or of the municipality,
/// replacing the one of the same channel, task and date; audited with what
/// it replaced. The price's id.
pub async fn set_price(
    store: &dyn Store,
    actor: &Actor,
    municipality: Option<MunicipalityCode>,
    input: &PriceInput,
    now: DateTime<Utc>,
) -> CoreResult<ChannelPriceId> {
    let tasks = match municipality {
        Some(code) => store.list_tasks(code).await?,
        None => store.list_national_tasks().await?,
    };
    let price = check(input, municipality, &tasks, actor, now)?;
    if !store
        .list_channels()
        .await?
        .iter()
        .any(|c| c.code == price.channel)
    {
        return Err(CoreError::Invalid(da!(
            "«{}» er ikke en kanal.",
            price.channel
        )));
    }
    let before = store
        .list_channel_prices(municipality)
        .await?
        .into_iter()
        .find(|p| {
            p.municipality == municipality
                && p.channel == price.channel
                && p.task == price.task
                && p.valid_from == price.valid_from
        });
    let entry = set_entry(&price, before.as_ref());
    let applied = change(store, actor, SetupChange::SetChannelPrice(price), entry).await?;
    Ok(ChannelPriceId(applied.created()?))
}

/// The audit entry of keeping a price, with the price it replaces: the
/// price pages, `komhen prices set` and `komhen import setup` write the
/// same one.
pub(crate) fn set_entry(price: &NewChannelPrice, before: Option<&ChannelPriceRow>) -> Entry {
    Entry {
        municipality: price.municipality,
        action: if before.is_some() { "update" } else { "create" },
        entity: "channel_price",
        entity_id: format!(
            "{}/{}/{}",
            price.channel,
            price.task.map_or_else(String::new, |t| t.0.to_string()),
            price.valid_from
        ),
        before: before.map(row_json),
        after: Some(price_json(price)),
    }
}

/// Removes a price of the national list (`None`) or of the municipality;
/// audited with the price removed.
pub async fn remove_price(
    store: &dyn Store,
    actor: &Actor,
    municipality: Option<MunicipalityCode>,
    price: ChannelPriceId,
) -> CoreResult<()> {
    let before = store
        .list_channel_prices(municipality)
        .await?
        .into_iter()
        .find(|p| p.id == price && p.municipality == municipality)
        .ok_or_else(|| CoreError::Invalid(dl!("Prisen findes ikke (længere).").into()))?;
    change(
        store,
        actor,
        SetupChange::RemoveChannelPrice {
            municipality,
            price,
        },
        Entry {
            municipality,
            action: "delete",
            entity: "channel_price",
            entity_id: price.0.to_string(),
            before: Some(row_json(&before)),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// The prices that can apply to one municipality's inquiries, and the rule
/// of which is in force: the municipality's own price for the task, then
/// its own for the channel, then the national price for the task, then the
/// national for the channel; of each, the latest whose date has come. A
/// municipality's own price wins from its own date, not before.
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    /// Per (own?, channel, task), the prices by date, oldest first.
    prices: HashMap<(bool, ChannelCode, Option<TaskId>), Vec<ChannelPriceRow>>,
}

impl PriceBook {
    /// The book of the municipality (`None`: the national list alone).
    pub async fn load(
        store: &dyn Store,
        municipality: Option<MunicipalityCode>,
    ) -> CoreResult<Self> {
        Ok(Self::new(store.list_channel_prices(municipality).await?))
    }

    pub fn new(rows: Vec<ChannelPriceRow>) -> Self {
        let mut prices: HashMap<_, Vec<ChannelPriceRow>> = HashMap::new();
        for row in rows {
            prices
                .entry((row.municipality.is_some(), row.channel.clone(), row.task))
                .or_default()
                .push(row);
        }
        for list in prices.values_mut() {
            list.sort_by_key(|p| p.valid_from);
        }
        Self { prices }
    }

    /// The price in force for an inquiry in the channel on the task that day.
    pub fn in_force(
        &self,
        channel: &ChannelCode,
        task: TaskId,
        day: NaiveDate,
    ) -> Option<&ChannelPriceRow> {
        [
            (true, Some(task)),
            (true, None),
            (false, Some(task)),
            (false, None),
        ]
        .into_iter()
        .find_map(|(own, task)| {
            self.prices
                .get(&(own, channel.clone(), task))?
                .iter()
                .rev()
                .find(|p| p.valid_from <= day)
        })
    }

    /// Every price, own first, then by channel, task and date.
    pub fn all(&self) -> Vec<&ChannelPriceRow> {
        let mut all: Vec<_> = self.prices.values().flatten().collect();
        all.sort_by(|a, b| {
            (b.municipality.is_some(), &a.channel, a.task, a.valid_from).cmp(&(
                a.municipality.is_some(),
                &b.channel,
                b.task,
                b.valid_from,
            ))
        });
        all
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_per_citizen_are_read_in_thousandths_of_a_krone() {
        for (typed, millikr) in [
            ("0,21", 210),
            ("0,168 kr.", 168),
            ("0.21", 210),
            ("1,5", 1_500),
            ("2", 2_000),
        ] {
            assert_eq!(parse_millikroner(typed), Some(millikr), "{typed}");
        }
        for wrong in ["", "0,2105", "-1", "x"] {
            assert_eq!(parse_millikroner(wrong), None, "{wrong}");
        }
        assert_eq!(millikroner(168), "0,168 kr.");
        assert_eq!(millikroner(1_234_567), "1.234,567 kr.");
        assert_eq!(millikroner(-210), "-0,210 kr.");
    }

    #[test]
    fn kroner_are_read_as_danes_and_others_type_them() {
        for (typed, ore) in [
            ("125", 12_500),
            ("125,5", 12_550),
            ("125,50", 12_550),
            ("1.250,50", 125_050),
            ("1250.50", 125_050),
            ("1.250", 125_000),
            ("1 250,05 kr.", 125_005),
            ("0,07", 7),
            ("12 DKK", 1_200),
        ] {
            assert_eq!(parse_kroner(typed), Some(ore), "{typed}");
        }
        for wrong in [
            "",
            "kr.",
            "-5",
            "1,234",
            "12,5,0",
            "abc",
            "1e3",
            "10000000000000",
        ] {
            assert_eq!(parse_kroner(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn a_price_from_time_is_minutes_over_sixty_times_the_hourly_cost() {
        // 4,5 minutes at 450 kr. an hour: 33,75 kr.
        assert_eq!(price_from_time(450, 45_000), 3_375);
        // 7 minutes at 431 kr.: 50,2833… kr., rounded to 50,28 kr.
        assert_eq!(price_from_time(700, 43_100), 5_028);
        // Half an øre rounds up: 1 minute at 0,30 kr. an hour is 0,005 kr.
        assert_eq!(price_from_time(100, 30), 1);
        assert_eq!(kroner(125_050), "1.250,50 kr.");
        assert_eq!(kroner(7), "0,07 kr.");
        assert_eq!(hundredths(450), "4,5");
        assert_eq!(hundredths(405), "4,05");
        assert_eq!(hundredths(400), "4");
    }

    fn row(own: bool, channel: &str, task: Option<i64>, from: &str, ore: i64) -> ChannelPriceRow {
        ChannelPriceRow {
            id: ChannelPriceId(ore),
            municipality: own.then(|| MunicipalityCode::new(259).unwrap()),
            channel: ChannelCode::parse(channel).unwrap(),
            task: task.map(TaskId),
            valid_from: from.parse().unwrap(),
            price_ore: ore,
            basis: PriceBasis::Amount,
            source: String::new(),
            source_year: 2025,
            example: false,
            set_by: String::new(),
            set_at: DateTime::default(),
        }
    }

    #[test]
    fn the_own_price_wins_from_its_date_and_the_task_price_before_the_channel_price() {
        let book = PriceBook::new(vec![
            row(false, "TLFIND", None, "2025-01-01", 5_000),
            row(false, "TLFIND", None, "2026-01-01", 5_500),
            row(false, "TLFIND", Some(7), "2025-06-01", 9_000),
            row(true, "TLFIND", None, "2025-10-01", 4_000),
            row(true, "TLFIND", Some(7), "2026-03-01", 3_000),
        ]);
        let phone = ChannelCode::parse("TLFIND").unwrap();
        let price = |task: i64, day: &str| {
            book.in_force(&phone, TaskId(task), day.parse().unwrap())
                .map(|p| p.price_ore)
        };
        assert_eq!(price(1, "2024-12-31"), None, "before any price");
        assert_eq!(price(1, "2025-05-01"), Some(5_000), "national");
        assert_eq!(
            price(7, "2025-05-31"),
            Some(5_000),
            "the task's price not yet"
        );
        assert_eq!(price(7, "2025-06-01"), Some(9_000), "national for the task");
        assert_eq!(price(1, "2025-09-30"), Some(5_000), "own not yet in force");
        assert_eq!(price(1, "2025-10-01"), Some(4_000), "own from its date");
        assert_eq!(
            price(1, "2026-06-01"),
            Some(4_000),
            "own beats a newer national"
        );
        assert_eq!(
            price(7, "2025-10-01"),
            Some(4_000),
            "own channel beats national task"
        );
        assert_eq!(price(7, "2026-03-01"), Some(3_000), "own task");
        assert_eq!(
            book.in_force(
                &ChannelCode::parse("EMLIND").unwrap(),
                TaskId(1),
                "2026-01-01".parse().unwrap()
            ),
            None,
            "no price for the channel"
        );
    }
}
