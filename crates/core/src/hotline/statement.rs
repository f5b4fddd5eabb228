//! A member's cost-sharing statement for whole calendar months (seed
//! `003_*`, bilag 1 "Prisen pr. borger" and "Vilkår").
//!
//! Owns the rule of what a member pays and is credited: each month of
//! membership costs its inhabitants × the price per citizen per month in
//! force that month, less the start discount in the member's first months;
//! a member that staffs shifts is credited its staffed hours × the credit
//! per hour; the amount due is what is left (below 0: the member receives
//! money).
//!
//! Pure: no store, no I/O. The inhabitants, the price rules and the staffed
//! hours (from the roster, `staffing::staffed_hours`) come in as values.
//!
//! # Units and rounding
//! Money is in øre (1 kr = 100 øre). A price per citizen per month is in
//! thousandths of a krone ("millikroner": 0,21 kr = 210, 0,168 kr = 168),
//! so inhabitants × price is an exact number of tenths of an øre, and
//! with the discount's whole percent an exact number of thousandths of an
//! øre. Nothing is rounded until an amount is shown:
//! - the period's base and discount are the exact sums over its months,
//!   each rounded once to whole øre, half away from zero;
//! - the months' lines are rounded so they add up to those totals: a line
//!   is the rounded running total through it less the rounded running total
//!   before it (so each line is within one øre of its exact amount);
//! - the credit is staffed hours (to the whole second) × the credit per
//!   hour, rounded once the same way;
//! - the amount due is base − discount − credit of the rounded figures, so
//!   the statement adds up as printed.

use crate::{CoreError, CoreResult};
use chrono::{Datelike, NaiveDate};
use komhen_domain::hotline::MemberKind;
use komhen_domain::month_label_da;
use komhen_domain::{da, dl, MunicipalityCode};

/// Øre in a krone.
pub const ORE_PER_KRONE: i64 = 100;

/// Thousandths of a krone ("millikroner") in a krone.
pub const MILLIKR_PER_KRONE: i64 = 1_000;

/// The price per citizen per month on the reference line: 0,21 kr.
pub const REFERENCE_PRICE_MILLIKR: i64 = 210;

/// The reference line's start discount in percent ("20% rabat de 3 første
/// måneder").
pub const REFERENCE_DISCOUNT_PERCENT: u32 = 20;

/// The months the reference line's start discount lasts.
pub const REFERENCE_DISCOUNT_MONTHS: u32 = 3;

/// The reference line's credit per staffed hour: 272 kr.
pub const REFERENCE_CREDIT_ORE_PER_HOUR: i64 = 27_200;

/// The highest price per citizen per month: 100 kr (a higher one is a
/// typing error).
pub const MAX_PRICE_MILLIKR: i64 = 100_000;

/// The highest credit per staffed hour: 10.000 kr.
pub const MAX_CREDIT_ORE_PER_HOUR: i64 = 1_000_000;

/// Tenths of an øre in a millikrone: 1 millikrone is exactly 0,1 øre.
const MILLIKR_PER_ORE: i128 = 10;

/// A price rule: from `valid_from` on (until a later rule), the price per
/// citizen per month and the credit per staffed hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRule {
    pub valid_from: NaiveDate,
    /// Thousandths of a krone per citizen per month (0,21 kr = 210).
    pub price_millikr_per_citizen_month: i64,
    /// Øre per staffed agent-hour (272 kr = 27 200).
    pub credit_ore_per_hour: i64,
}

/// The rule in force on a day: the one with the latest `valid_from` on or
/// before it.
pub fn rule_in_force(rules: &[PriceRule], day: NaiveDate) -> Option<&PriceRule> {
    rules
        .iter()
        .filter(|r| r.valid_from <= day)
        .max_by_key(|r| r.valid_from)
}

/// The start discount: `percent` off in a new member's first `months`
/// months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discount {
    /// Whole percent, 0–100.
    pub percent: u32,
    /// Months from the join month (which counts as the first).
    pub months: u32,
}

impl Discount {
    /// No discount.
    pub const NONE: Discount = Discount {
        percent: 0,
        months: 0,
    };

    /// The reference line's: 20 % for 3 months.
    pub const REFERENCE: Discount = Discount {
        percent: REFERENCE_DISCOUNT_PERCENT,
        months: REFERENCE_DISCOUNT_MONTHS,
    };
}

/// A price after a discount, in millikroner, rounded half away from zero
/// (0,21 kr with 20 % off: 210 → 168, the seed's 0,168 kr).
pub fn price_after_discount(price_millikr: i64, percent: u32) -> i64 {
    let percent = i128::from(percent.min(100));
    round_half_away(i128::from(price_millikr) * (100 - percent), 100)
}

/// The member a statement is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementMember {
    pub code: MunicipalityCode,
    pub name: String,
    /// The day the member joined; its month is the first month charged (in
    /// full) and the first month of the start discount.
    pub joined: NaiveDate,
    /// The last day of membership, if the member has left; its month is
    /// the last month charged (in full).
    pub left: Option<NaiveDate>,
    pub kind: MemberKind,
}

/// What a statement is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementInput {
    pub member: StatementMember,
    /// The member's inhabitants on 1 January of the statement's year.
    pub population: i64,
    /// The price rules; the one in force on a month's first day prices it.
    pub rules: Vec<PriceRule>,
    pub discount: Discount,
    /// The statement's first month (any day of it; its first day is used).
    pub first_month: NaiveDate,
    /// The statement's last month, included, in the same year.
    pub last_month: NaiveDate,
    /// Agent-hours the member staffed in the period (from the roster); 0
    /// for a member that pays only.
    pub staffed_hours: f64,
}

/// One month of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The month's first day.
    pub month: NaiveDate,
    /// Whether the member belonged to the line in the month (on at least
    /// one of its days). A month outside membership is not charged: its
    /// price and amounts are 0.
    pub charged: bool,
    pub inhabitants: i64,
    /// The price in force on the month's first day, millikroner per citizen.
    pub price_millikr: i64,
    /// Inhabitants × price, in øre (rounded; see the module's rounding).
    pub base_ore: i64,
    /// Whether the month is one of the start discount's months (months
    /// since the join month < the discount's months).
    pub in_discount: bool,
    /// The discount in percent for the month (0 outside the discount).
    pub discount_percent: u32,
    /// Base × percent, in øre.
    pub discount_ore: i64,
}

impl StatementLine {
    /// Base − discount, in øre.
    pub fn net_ore(&self) -> i64 {
        self.base_ore - self.discount_ore
    }
}

/// A member's statement for a period of whole months.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub code: MunicipalityCode,
    pub name: String,
    pub kind: MemberKind,
    pub population: i64,
    /// First day of the first month.
    pub first_month: NaiveDate,
    /// First day of the last month.
    pub last_month: NaiveDate,
    /// One line per month of the period, in order.
    pub lines: Vec<StatementLine>,
    /// The months' base amounts, in øre.
    pub base_ore: i64,
    /// The months' discounts, in øre.
    pub discount_ore: i64,
    pub staffed_hours: f64,
    /// The credit per hour in force on the last month's first day.
    pub credit_ore_per_hour: i64,
    /// Staffed hours × credit per hour, in øre.
    pub credit_ore: i64,
    /// Base − discount − credit, in øre; below 0 the member receives it.
    pub amount_due_ore: i64,
}

impl Statement {
    /// Whether the member receives money rather than pays.
    pub fn is_payout(&self) -> bool {
        self.amount_due_ore < 0
    }

    /// "At betale" or "Til udbetaling", for the amount's label.
    pub fn amount_label_da(&self) -> &'static str {
        if self.is_payout() {
            "Til udbetaling"
        } else {
            "At betale"
        }
    }
}

/// The most months one statement covers: a calendar year.
pub const MAX_MONTHS: u32 = 12;

/// A member's statement for the months `first_month`–`last_month`.
///
/// Errors (Danish, for the user) when the period runs backwards or spans
/// two calendar years (the inhabitants are those of one 1 January), the
/// inhabitants are negative, the discount is above 100 %, a charged month
/// has no price rule in force, a price or credit is negative or
/// implausibly high, or a member that pays only has staffed hours.
pub fn statement(input: &StatementInput) -> CoreResult<Statement> {
    let first = first_of_month(input.first_month);
    let last = first_of_month(input.last_month);
    if last < first {
        return Err(invalid(dl!(
            "Opgørelsens sidste måned ligger før den første."
        )));
    }
    if first.year() != last.year() {
        return Err(invalid(dl!(
            "En opgørelse skal ligge inden for ét kalenderår, da indbyggertallet er pr. 1. januar."
        )));
    }
    if input.population < 0 {
        return Err(invalid(dl!("Indbyggertallet kan ikke være negativt.")));
    }
    if input.discount.percent > 100 {
        return Err(invalid(dl!("Rabatten kan højst være 100 %.")));
    }
    if let Some(left) = input.member.left {
        if left < input.member.joined {
            return Err(invalid(dl!(
                "Kommunen kan ikke udtræde, før den indtræder."
            )));
        }
    }
    for rule in &input.rules {
        if !(0..=MAX_PRICE_MILLIKR).contains(&rule.price_millikr_per_citizen_month) {
            return Err(invalid(&da!(
                "Prisen pr. indbygger fra {} skal ligge mellem 0 og 100 kr. pr. måned.",
                rule.valid_from.format("%d-%m-%Y")
            )));
        }
        if !(0..=MAX_CREDIT_ORE_PER_HOUR).contains(&rule.credit_ore_per_hour) {
            return Err(invalid(&da!(
                "Godtgørelsen pr. time fra {} skal ligge mellem 0 og 10.000 kr.",
                rule.valid_from.format("%d-%m-%Y")
            )));
        }
    }
    if !input.staffed_hours.is_finite() || input.staffed_hours < 0.0 {
        return Err(invalid(dl!(
            "De bemandede timer skal være et tal på 0 eller mere."
        )));
    }
    if input.member.kind == MemberKind::PaysOnly && input.staffed_hours > 0.0 {
        return Err(invalid(&da!(
            "{} betaler kun og kan ikke godskrives bemandede timer.",
            input.member.name
        )));
    }

    let joined = month_index(input.member.joined);
    let left = input.member.left.map(month_index);
    // Exact amounts in thousandths of an øre: millikroner × inhabitants ×
    // (100 for the base, percent for the discount) ÷ (10 × 100) øre.
    const EXACT_PER_ORE: i128 = MILLIKR_PER_ORE * 100;
    let mut lines = Vec::new();
    let (mut base_exact, mut discount_exact) = (0i128, 0i128);
    let (mut base_shown, mut discount_shown) = (0i64, 0i64);
    let mut month = first;
    while month <= last {
        let index = month_index(month);
        let charged = index >= joined && left.is_none_or(|l| index <= l);
        let mut line = StatementLine {
            month,
            charged,
            inhabitants: input.population,
            price_millikr: 0,
            base_ore: 0,
            in_discount: false,
            discount_percent: 0,
            discount_ore: 0,
        };
        if charged {
            let rule = rule_in_force(&input.rules, month)
                .ok_or_else(|| invalid(&da!("Der er ingen pris for {}.", month_label_da(month))))?;
            let since_join = index - joined;
            line.price_millikr = rule.price_millikr_per_citizen_month;
            line.in_discount = since_join < i64::from(input.discount.months);
            line.discount_percent = if line.in_discount {
                input.discount.percent
            } else {
                0
            };
            let millikr = i128::from(line.price_millikr) * i128::from(input.population);
            base_exact += millikr * 100;
            discount_exact += millikr * i128::from(line.discount_percent);
            let base_now = round_half_away(base_exact, EXACT_PER_ORE);
            let discount_now = round_half_away(discount_exact, EXACT_PER_ORE);
            line.base_ore = base_now - base_shown;
            line.discount_ore = discount_now - discount_shown;
            base_shown = base_now;
            discount_shown = discount_now;
        }
        lines.push(line);
        month = next_month(month)?;
    }

    let credit_ore_per_hour = rule_in_force(&input.rules, last)
        .map(|r| r.credit_ore_per_hour)
        .unwrap_or(0);
    let credit_ore = if input.member.kind == MemberKind::StaffsAndPays {
        if input.staffed_hours > 0.0 && rule_in_force(&input.rules, last).is_none() {
            return Err(invalid(&da!(
                "Der er ingen godtgørelse pr. time for {}.",
                month_label_da(last)
            )));
        }
        // Roster hours come from instants, so whole seconds lose nothing.
        let seconds = (input.staffed_hours * 3600.0).round() as i128;
        round_half_away(seconds * i128::from(credit_ore_per_hour), 3600)
    } else {
        0
    };
    Ok(Statement {
        code: input.member.code,
        name: input.member.name.clone(),
        kind: input.member.kind,
        population: input.population,
        first_month: first,
        last_month: last,
        lines,
        base_ore: base_shown,
        discount_ore: discount_shown,
        staffed_hours: input.staffed_hours,
        credit_ore_per_hour,
        credit_ore,
        amount_due_ore: base_shown - discount_shown - credit_ore,
    })
}

/// `numerator ÷ denominator` rounded to a whole number, half away from zero
/// (2,5 → 3; −2,5 → −3). `denominator` must be above 0.
pub(crate) fn round_half_away(numerator: i128, denominator: i128) -> i64 {
    let doubled = 2 * numerator.abs() + denominator;
    let magnitude = doubled / (2 * denominator);
    let rounded = if numerator < 0 { -magnitude } else { magnitude };
    i64::try_from(rounded).unwrap_or(if numerator < 0 { i64::MIN } else { i64::MAX })
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn next_month(month: NaiveDate) -> CoreResult<NaiveDate> {
    month
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| invalid(dl!("Perioden slutter for sent.")))
}

/// Months since year 0: consecutive months differ by 1.
fn month_index(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month0())
}

fn invalid(message: &str) -> CoreError {
    CoreError::Invalid(message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn reference_rules() -> Vec<PriceRule> {
        vec![PriceRule {
            valid_from: date(2014, 1, 1),
            price_millikr_per_citizen_month: REFERENCE_PRICE_MILLIKR,
            credit_ore_per_hour: REFERENCE_CREDIT_ORE_PER_HOUR,
        }]
    }

    fn input(
        code: u16,
        name: &str,
        population: i64,
        kind: MemberKind,
        joined: NaiveDate,
        months: (u32, u32),
        staffed_hours: f64,
    ) -> StatementInput {
        StatementInput {
            member: StatementMember {
                code: MunicipalityCode::new(code).unwrap(),
                name: name.into(),
                joined,
                left: None,
                kind,
            },
            population,
            rules: reference_rules(),
            discount: Discount::REFERENCE,
            first_month: date(2015, months.0, 1),
            last_month: date(2015, months.1, 1),
            staffed_hours,
        }
    }

    #[test]
    fn a_20_percent_start_discount_makes_0_21_kr_0_168_kr() {
        assert_eq!(price_after_discount(210, 20), 168);
        assert_eq!(price_after_discount(210, 0), 210);
        assert_eq!(price_after_discount(210, 100), 0);
        // Half a millikrone rounds away from zero: 213 × 0,5 = 106,5.
        assert_eq!(price_after_discount(213, 50), 107);
        assert_eq!(price_after_discount(-213, 50), -107);
    }

    #[test]
    fn laeso_pays_911_23_kr_for_its_first_three_months() {
        let s = statement(&input(
            825,
            "Læsø",
            1_808,
            MemberKind::PaysOnly,
            date(2015, 1, 1),
            (1, 3),
            0.0,
        ))
        .unwrap();
        // 1 808 × 0,21 kr = 379,68 kr a month; 20 % off is 75,936 kr.
        assert_eq!(s.lines.len(), 3);
        for line in &s.lines {
            assert!(line.charged && line.in_discount);
            assert_eq!(line.base_ore, 37_968);
            assert_eq!(line.price_millikr, 210);
            assert_eq!(line.discount_percent, 20);
        }
        // The exact discount 3 × 7 593,6 øre = 22 780,8 is rounded once;
        // the lines are rounded so they add up to it.
        assert_eq!(s.base_ore, 113_904);
        assert_eq!(s.discount_ore, 22_781);
        let lines: Vec<i64> = s.lines.iter().map(|l| l.discount_ore).collect();
        assert_eq!(lines, vec![7_594, 7_593, 7_594]);
        assert_eq!(s.credit_ore, 0);
        // 1 808 × 0,168 kr × 3 = 911,232 kr. The seed prints 912 kr: its
        // note says its figures are rounded and based on approximate
        // numbers sent by the reference line.
        assert_eq!(s.amount_due_ore, 91_123);
        assert!(!s.is_payout());
        assert_eq!(s.amount_label_da(), "At betale");
    }

    #[test]
    fn a_staffing_member_is_credited_272_kr_an_hour() {
        // Aalborg, the second quarter (past the discount), 120 hours staffed.
        let s = statement(&input(
            851,
            "Aalborg",
            205_809,
            MemberKind::StaffsAndPays,
            date(2015, 1, 1),
            (4, 6),
            120.0,
        ))
        .unwrap();
        // 205 809 × 0,21 kr = 43 219,89 kr a month.
        assert!(s.lines.iter().all(|l| !l.in_discount));
        assert_eq!(s.lines[0].base_ore, 4_321_989);
        assert_eq!(s.base_ore, 12_965_967);
        assert_eq!(s.discount_ore, 0);
        assert_eq!(s.credit_ore_per_hour, 27_200);
        assert_eq!(s.credit_ore, 3_264_000);
        assert_eq!(s.amount_due_ore, 12_965_967 - 3_264_000);
        // A fraction of an hour is credited to the øre.
        let mut half = input(
            851,
            "Aalborg",
            205_809,
            MemberKind::StaffsAndPays,
            date(2015, 1, 1),
            (4, 6),
            2.5,
        );
        assert_eq!(statement(&half).unwrap().credit_ore, 68_000);
        half.staffed_hours = 1.0 / 3.0; // 20 minutes: 90,666… kr
        assert_eq!(statement(&half).unwrap().credit_ore, 9_067);
    }

    #[test]
    fn a_credit_larger_than_the_payment_is_paid_out() {
        let s = statement(&input(
            825,
            "Læsø",
            1_808,
            MemberKind::StaffsAndPays,
            date(2015, 1, 1),
            (4, 6),
            120.0,
        ))
        .unwrap();
        assert_eq!(s.base_ore, 113_904);
        assert_eq!(s.amount_due_ore, 113_904 - 3_264_000);
        assert!(s.is_payout());
        assert_eq!(s.amount_label_da(), "Til udbetaling");
    }

    #[test]
    fn months_before_joining_and_after_leaving_are_not_charged() {
        // Joins 15 February: January is not charged, February counts in
        // full as the first of three discounted months.
        let mut i = input(
            849,
            "Jammerbugt",
            38_351,
            MemberKind::PaysOnly,
            date(2015, 2, 15),
            (1, 6),
            0.0,
        );
        let s = statement(&i).unwrap();
        let charged: Vec<bool> = s.lines.iter().map(|l| l.charged).collect();
        assert_eq!(charged, vec![false, true, true, true, true, true]);
        let discounted: Vec<bool> = s.lines.iter().map(|l| l.in_discount).collect();
        assert_eq!(discounted, vec![false, true, true, true, false, false]);
        assert_eq!(s.lines[0].base_ore, 0);
        assert_eq!(s.lines[0].price_millikr, 0);
        // 38 351 × 0,21 = 8 053,71 kr a month.
        assert_eq!(s.base_ore, 5 * 805_371);
        assert_eq!(s.discount_ore, round_half_away(3 * 8_053_710 * 20, 1_000));
        assert_eq!(s.amount_due_ore, s.base_ore - s.discount_ore);
        let sum: i64 = s.lines.iter().map(StatementLine::net_ore).sum();
        assert_eq!(sum, s.amount_due_ore);

        // Leaves 10 May: May is charged, June is not.
        i.member.left = Some(date(2015, 5, 10));
        let s = statement(&i).unwrap();
        let charged: Vec<bool> = s.lines.iter().map(|l| l.charged).collect();
        assert_eq!(charged, vec![false, true, true, true, true, false]);
        assert_eq!(s.base_ore, 4 * 805_371);
    }

    #[test]
    fn each_month_has_the_price_in_force_on_its_first_day() {
        let mut i = input(
            851,
            "Aalborg",
            1_000,
            MemberKind::StaffsAndPays,
            date(2014, 1, 1),
            (3, 5),
            10.0,
        );
        // A new price from 2 April applies from May; the credit in force on
        // the last month is used for the whole period.
        i.rules.push(PriceRule {
            valid_from: date(2015, 4, 2),
            price_millikr_per_citizen_month: 200,
            credit_ore_per_hour: 30_000,
        });
        let s = statement(&i).unwrap();
        let prices: Vec<i64> = s.lines.iter().map(|l| l.price_millikr).collect();
        assert_eq!(prices, vec![210, 210, 200]);
        assert_eq!(s.base_ore, 21_000 + 21_000 + 20_000);
        assert_eq!(s.credit_ore_per_hour, 30_000);
        assert_eq!(s.credit_ore, 300_000);
    }

    #[test]
    fn impossible_statements_are_refused() {
        let ok = input(
            825,
            "Læsø",
            1_808,
            MemberKind::PaysOnly,
            date(2015, 1, 1),
            (1, 3),
            0.0,
        );
        let mut i = ok.clone();
        i.staffed_hours = 3.0;
        assert!(
            statement(&i).is_err(),
            "a member that pays only staffs nothing"
        );
        let mut i = ok.clone();
        i.rules.clear();
        assert!(statement(&i).is_err(), "no price");
        let mut i = ok.clone();
        i.last_month = date(2016, 1, 1);
        assert!(statement(&i).is_err(), "two calendar years");
        let mut i = ok.clone();
        i.first_month = date(2015, 4, 1);
        assert!(statement(&i).is_err(), "backwards");
        let mut i = ok.clone();
        i.discount.percent = 101;
        assert!(statement(&i).is_err());
        let mut i = ok;
        i.population = -1;
        assert!(statement(&i).is_err());
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away(25, 10), 3);
        assert_eq!(round_half_away(-25, 10), -3);
        assert_eq!(round_half_away(24, 10), 2);
        assert_eq!(round_half_away(-24, 10), -2);
        assert_eq!(round_half_away(0, 10), 0);
    }
}
