//! The split of the line's agent-hours between its members by population,
//! and the roster's staffed hours against each member's share (seed `003_*`,
//! bilag 2 "Beregning af bemanding").
//!
//! Owns: a line's weekly agent-hours (opening hours a week × agents at a
//! time), each member's share (its population on 1 January ÷ the members'
//! total) with its hours a week and shifts a year, the size of a proposed
//! group measured against a reference line, and the hours a roster staffed
//! per member in a period against the hours its share says it owes.
//!
//! Pure: no store, no I/O, no clock. Shares are exact fractions
//! (population ÷ total), so they add up to exactly 1; hours are `f64`.
//! Must not price anything (the statement does) nor know queues (the plan
//! does).

use crate::{CoreError, CoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use komhen_domain::{da, danish_instant, dl, MunicipalityCode};
use num_rational::Ratio;
use num_traits::{ToPrimitive, Zero};
use std::collections::{BTreeMap, HashSet};

/// An exact share: a member's population ÷ the members' total.
pub type Share = Ratio<i64>;

/// Weeks a year the line is open, for shifts a year (52: no weeks closed).
pub const OPEN_WEEKS_PER_YEAR: u32 = 52;

/// The reference line's citizens (the central Jutland line: "1,3 mio.
/// borgere").
pub const REFERENCE_POPULATION: i64 = 1_300_000;

/// The reference line's opening hours a week ("60 timer om ugen").
pub const REFERENCE_OPEN_HOURS_PER_WEEK: f64 = 60.0;

/// Agents on the reference line at a time ("2 medarbejdere ad gangen").
pub const REFERENCE_AGENTS_AT_A_TIME: u32 = 2;

/// The reference line's agent-hours a week: 60 × 2 = 120 ("24 timer
/// dagligt * 5 dage = 120 timer ugentligt").
pub const REFERENCE_WEEKLY_AGENT_HOURS: f64 = 120.0;

/// The reference line's shift: "En vagt består af 2 medarbejdere i 3
/// timer".
pub const REFERENCE_SHIFT: Shift = Shift {
    hours: 3.0,
    agents: 2,
};

/// The most days a roster period may span (a year and a day, for a leap
/// year's statement).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// A line's agent-hours a week: opening hours a week × agents at a time.
pub fn weekly_agent_hours(opening_hours_per_week: f64, agents_at_a_time: u32) -> f64 {
    opening_hours_per_week * f64::from(agents_at_a_time)
}

/// The shape of one shift: its length and the agents on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    /// Hours one shift lasts.
    pub hours: f64,
    /// Agents on one shift.
    pub agents: u32,
}

impl Shift {
    /// Agent-hours one shift gives: hours × agents (3 × 2 = 6).
    pub fn agent_hours(self) -> f64 {
        self.hours * f64::from(self.agents)
    }
}

/// A member of the line as the split sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub code: MunicipalityCode,
    pub name: String,
    /// Citizens on 1 January of the year the split is for.
    pub population: i64,
}

/// One member's part of the split.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitRow {
    pub code: MunicipalityCode,
    pub name: String,
    pub population: i64,
    /// Population ÷ the members' total, exact.
    pub share: Share,
    /// Share × the line's weekly agent-hours.
    pub hours_per_week: f64,
    /// Hours a week × [`OPEN_WEEKS_PER_YEAR`] ÷ the agent-hours of a shift.
    pub shifts_per_year: f64,
}

impl SplitRow {
    /// The share as a number from 0 to 1.
    pub fn share_f64(&self) -> f64 {
        share_f64(self.share)
    }

    /// The share in percent (0–100), for showing ("35,37 %").
    pub fn share_percent(&self) -> f64 {
        self.share_f64() * 100.0
    }
}

/// The split of a line's weekly agent-hours between its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The members in the order given.
    pub rows: Vec<SplitRow>,
    pub total_population: i64,
    /// The hours split: the line's agent-hours a week. The rows' hours add
    /// up to it (to the float's last digit).
    pub weekly_agent_hours: f64,
    pub shift: Shift,
    /// The shifts a year the whole line needs: weekly agent-hours × 52 ÷
    /// the agent-hours of a shift.
    pub total_shifts_per_year: f64,
}

impl Split {
    /// The row of a member, if it is in the split.
    pub fn row(&self, code: MunicipalityCode) -> Option<&SplitRow> {
        self.rows.iter().find(|r| r.code == code)
    }

    /// The shares added up: exactly 1 for every split [`split`] returns.
    pub fn total_share(&self) -> Share {
        self.rows.iter().map(|r| r.share).sum()
    }
}

/// Splits `weekly_agent_hours` between `members` by population.
///
/// Errors (Danish, for the user) when there are no members, a population
/// is negative, the members' total is 0 (nothing to divide by), a member
/// appears twice, the hours are negative or not a number, or the shift has
/// no hours or no agents.
pub fn split(members: &[Member], weekly_agent_hours: f64, shift: Shift) -> CoreResult<Split> {
    if !weekly_agent_hours.is_finite() || weekly_agent_hours < 0.0 {
        return Err(invalid(dl!(
            "Timer om ugen skal være et tal på 0 eller mere."
        )));
    }
    if !shift.hours.is_finite() || shift.hours <= 0.0 || shift.agents == 0 {
        return Err(invalid(dl!(
            "En vagt skal have en længde over 0 timer og mindst én medarbejder."
        )));
    }
    if members.is_empty() {
        return Err(invalid(dl!(
            "Der er ingen medlemskommuner at fordele timerne på."
        )));
    }
    let mut seen = HashSet::new();
    for m in members {
        if m.population < 0 {
            return Err(invalid(&da!(
                "Indbyggertallet for {} kan ikke være negativt.",
                m.name
            )));
        }
        if !seen.insert(m.code) {
            return Err(invalid(&da!(
                "Kommune {} ({}) står der to gange.",
                m.code,
                m.name
            )));
        }
    }
    let total_population = members
        .iter()
        .try_fold(0i64, |sum, m| sum.checked_add(m.population))
        .ok_or_else(|| invalid(dl!("Indbyggertallene er for store til at lægge sammen.")))?;
    if total_population == 0 {
        return Err(invalid(dl!(
            "Medlemskommunerne har tilsammen 0 indbyggere; timerne kan ikke fordeles."
        )));
    }
    let per_shift = shift.agent_hours();
    let rows = members
        .iter()
        .map(|m| {
            let share = Share::new(m.population, total_population);
            let hours_per_week = share_f64(share) * weekly_agent_hours;
            SplitRow {
                code: m.code,
                name: m.name.clone(),
                population: m.population,
                share,
                hours_per_week,
                shifts_per_year: hours_per_week * f64::from(OPEN_WEEKS_PER_YEAR) / per_shift,
            }
        })
        .collect();
    Ok(Split {
        rows,
        total_population,
        weekly_agent_hours,
        shift,
        total_shifts_per_year: weekly_agent_hours * f64::from(OPEN_WEEKS_PER_YEAR) / per_shift,
    })
}

/// A proposed group of members measured against a reference line.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedGroup {
    /// The group's citizens.
    pub population: i64,
    pub reference_population: i64,
    pub reference_weekly_agent_hours: f64,
    /// The group's population ÷ the reference population, exact (may
    /// exceed 1 for a group larger than the reference).
    pub share_of_reference: Share,
    /// Share of reference × the reference's weekly agent-hours: the hours
    /// the group needs for the same service.
    pub hours_per_week: f64,
    /// Those hours split between the group's members.
    pub split: Split,
}

impl ProposedGroup {
    /// The share of the reference as a number (0.447 for 44,7 %).
    pub fn share_f64(&self) -> f64 {
        share_f64(self.share_of_reference)
    }
}

/// The size of a group of members against a reference line (the seed's
/// North Jutland against the 1,3 million citizens and 120 agent-hours of
/// the central Jutland line: "44% = 53 timer"), and the split of the
/// group's hours between its members.
pub fn proposed_group(
    members: &[Member],
    reference_population: i64,
    reference_weekly_agent_hours: f64,
    shift: Shift,
) -> CoreResult<ProposedGroup> {
    if reference_population <= 0 {
        return Err(invalid(dl!(
            "Referencelinjens indbyggertal skal være over 0."
        )));
    }
    if !reference_weekly_agent_hours.is_finite() || reference_weekly_agent_hours < 0.0 {
        return Err(invalid(dl!(
            "Referencelinjens timer om ugen skal være et tal på 0 eller mere."
        )));
    }
    // The split checks the members and their total; it is computed on a
    // placeholder hour count first so its errors come before the division.
    let probe = split(members, 0.0, shift)?;
    let share_of_reference = Share::new(probe.total_population, reference_population);
    let hours_per_week = share_f64(share_of_reference) * reference_weekly_agent_hours;
    Ok(ProposedGroup {
        population: probe.total_population,
        reference_population,
        reference_weekly_agent_hours,
        share_of_reference,
        hours_per_week,
        split: split(members, hours_per_week, shift)?,
    })
}

/// One shift on the roster: a member's agents on the line from `start` to
/// `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterShift {
    /// The member whose employees staff the shift.
    pub member: MunicipalityCode,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Agents on the line during the shift.
    pub agents: u32,
}

/// The agent-hours a roster staffed per member in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffed {
    /// First day of the period (Danish local time).
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub to: NaiveDate,
    /// Agent-hours per member: hours on the line × agents, clipped to the
    /// period.
    pub hours: BTreeMap<MunicipalityCode, f64>,
}

impl Staffed {
    /// Days in the period, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Weeks in the period: days ÷ 7 (a quarter of 90 days is 12,86 weeks).
    pub fn weeks(&self) -> f64 {
        self.days() as f64 / 7.0
    }

    /// A member's staffed agent-hours; 0 when it staffed nothing.
    pub fn of(&self, code: MunicipalityCode) -> f64 {
        self.hours.get(&code).copied().unwrap_or(0.0)
    }
}

/// The agent-hours each member staffed from the start of `from` to the
/// end of `to` (Danish local days, both included). A shift that starts
/// before or ends after the period counts only its part inside it; a shift
/// that ends before it starts counts nothing. Members with no shift in the
/// period are left out.
pub fn staffed_hours(
    shifts: &[RosterShift],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Staffed> {
    let (start, end) = period_instants(from, to)?;
    let mut hours: BTreeMap<MunicipalityCode, f64> = BTreeMap::new();
    for s in shifts {
        let a = s.start.max(start);
        let b = s.end.min(end);
        if b <= a || s.agents == 0 {
            continue;
        }
        let seconds = (b - a).num_seconds() as f64;
        *hours.entry(s.member).or_insert(0.0) += seconds / 3600.0 * f64::from(s.agents);
    }
    Ok(Staffed { from, to, hours })
}

/// The instants a period of Danish local days runs between: `[from
/// 00:00, the day after to 00:00)`.
pub(crate) fn period_instants(
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<(DateTime<Utc>, DateTime<Utc>)> {
    if to < from {
        return Err(invalid(dl!("Perioden slutter før den begynder.")));
    }
    if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
        return Err(invalid(&da!(
            "Perioden må højst være {MAX_PERIOD_DAYS} dage."
        )));
    }
    let after = to
        .succ_opt()
        .ok_or_else(|| invalid(dl!("Perioden slutter for sent.")))?;
    // Danish clocks never change at midnight, so both exist.
    let start = danish_instant(from, 0, 0).ok_or_else(|| invalid(dl!("Ugyldig startdato.")))?;
    let end = danish_instant(after, 0, 0).ok_or_else(|| invalid(dl!("Ugyldig slutdato.")))?;
    Ok((start, end))
}

/// One member's staffed hours against the hours its share says it owes.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareBalance {
    pub code: MunicipalityCode,
    pub name: String,
    pub share: Share,
    /// Share × the weekly agent-hours × weeks in the period.
    pub due_hours: f64,
    /// Agent-hours the roster staffed.
    pub staffed_hours: f64,
    /// Staffed − due: above 0 the member staffed more than its share.
    pub difference: f64,
}

/// The roster's staffed hours against each member's share of a split.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareBalances {
    /// One row per member of the split, in its order.
    pub rows: Vec<ShareBalance>,
    /// Weeks in the period (days ÷ 7).
    pub weeks: f64,
    pub total_due_hours: f64,
    pub total_staffed_hours: f64,
    /// Hours staffed by municipalities that are not in the split (a roster
    /// error, or a member left out of it), shown apart.
    pub outside_split: Vec<(MunicipalityCode, f64)>,
}

/// Each member's due hours for the staffed period (share × the split's
/// weekly agent-hours × the period's weeks) against the hours it staffed.
pub fn against_share(split: &Split, staffed: &Staffed) -> ShareBalances {
    let weeks = staffed.weeks();
    let rows: Vec<ShareBalance> = split
        .rows
        .iter()
        .map(|r| {
            let due_hours = r.hours_per_week * weeks;
            let staffed_hours = staffed.of(r.code);
            ShareBalance {
                code: r.code,
                name: r.name.clone(),
                share: r.share,
                due_hours,
                staffed_hours,
                difference: staffed_hours - due_hours,
            }
        })
        .collect();
    let outside_split = staffed
        .hours
        .iter()
        .filter(|(code, _)| split.row(**code).is_none())
        .map(|(code, hours)| (*code, *hours))
        .collect();
    ShareBalances {
        weeks,
        total_due_hours: split.weekly_agent_hours * weeks,
        total_staffed_hours: rows.iter().map(|r| r.staffed_hours).sum(),
        rows,
        outside_split,
    }
}

fn share_f64(share: Share) -> f64 {
    if share.denom().is_zero() {
        return 0.0;
    }
    share.to_f64().unwrap_or(0.0)
}

fn invalid(message: &str) -> CoreError {
    CoreError::Invalid(message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use num_traits::One;

    fn member(code: u16, name: &str, population: i64) -> Member {
        Member {
            code: MunicipalityCode::new(code).unwrap(),
            name: name.into(),
            population,
        }
    }

    /// The 11 North Jutland municipalities on 1 January 2014 (Danmarks
    /// Statistik, `kommuner.csv` column `folketal_2014`), with the seed's
    /// share (percent) and hours a week of the 53-hour group.
    fn north_jutland() -> Vec<(Member, f64, f64)> {
        vec![
            (member(825, "Læsø", 1_808), 0.31, 0.2),
            (member(849, "Jammerbugt", 38_351), 6.60, 3.5),
            (member(851, "Aalborg", 205_809), 35.37, 18.7),
            (member(813, "Frederikshavn", 60_458), 10.41, 5.5),
            (member(810, "Brønderslev", 35_627), 6.14, 3.3),
            (member(840, "Rebild", 28_794), 4.96, 2.6),
            (member(846, "Mariagerfjord", 42_093), 7.25, 3.8),
            (member(820, "Vesthimmerlands", 37_479), 6.45, 3.4),
            (member(773, "Morsø", 21_003), 3.62, 1.9),
            (member(787, "Thisted", 44_230), 7.62, 4.0),
            (member(860, "Hjørring", 65_405), 11.26, 6.0),
        ]
    }

    #[test]
    fn the_reference_line_is_120_agent_hours_in_3_hour_shifts_of_2() {
        assert_eq!(
            weekly_agent_hours(REFERENCE_OPEN_HOURS_PER_WEEK, REFERENCE_AGENTS_AT_A_TIME),
            REFERENCE_WEEKLY_AGENT_HOURS
        );
        assert_eq!(REFERENCE_WEEKLY_AGENT_HOURS, 120.0);
        assert_eq!(REFERENCE_SHIFT.agent_hours(), 6.0);
        // 120 agent-hours a week is 20 shifts a week, 1 040 a year.
        let line = split(
            &[member(751, "Aarhus", 1_300_000)],
            REFERENCE_WEEKLY_AGENT_HOURS,
            REFERENCE_SHIFT,
        )
        .unwrap();
        assert_eq!(line.total_shifts_per_year, 1_040.0);
        assert_eq!(line.rows[0].shifts_per_year, 1_040.0);
    }

    #[test]
    fn the_seeds_north_jutland_table_is_reproduced() {
        let table = north_jutland();
        let members: Vec<Member> = table.iter().map(|(m, _, _)| m.clone()).collect();
        // The seed splits its rounded 53 hours (44 % × 120 = 52,8).
        let s = split(&members, 53.0, REFERENCE_SHIFT).unwrap();
        assert_eq!(s.total_population, 581_057);
        assert_eq!(s.total_share(), Share::one());
        for ((_, seed_percent, seed_hours), row) in table.iter().zip(&s.rows) {
            assert!(
                (row.share_percent() - seed_percent).abs() <= 0.06,
                "{}: {} % against the seed's {} %",
                row.name,
                row.share_percent(),
                seed_percent
            );
            assert!(
                (row.hours_per_week - seed_hours).abs() <= 0.1,
                "{}: {} hours against the seed's {}",
                row.name,
                row.hours_per_week,
                seed_hours
            );
        }
        let hours: f64 = s.rows.iter().map(|r| r.hours_per_week).sum();
        assert!((hours - 53.0).abs() < 1e-9);
        // Aalborg: 18,77 hours a week is 163 three-hour shifts of two a year.
        let aalborg = s.row(MunicipalityCode::new(851).unwrap()).unwrap();
        assert!((aalborg.shifts_per_year - aalborg.hours_per_week * 52.0 / 6.0).abs() < 1e-9);
        assert!((aalborg.shifts_per_year - 162.7).abs() < 0.1);
    }

    #[test]
    fn north_jutland_is_44_7_percent_of_the_reference_line() {
        let members: Vec<Member> = north_jutland().into_iter().map(|(m, _, _)| m).collect();
        let g = proposed_group(
            &members,
            REFERENCE_POPULATION,
            REFERENCE_WEEKLY_AGENT_HOURS,
            REFERENCE_SHIFT,
        )
        .unwrap();
        assert_eq!(g.population, 581_057);
        assert_eq!(g.share_of_reference, Share::new(581_057, 1_300_000));
        // The seed writes "44%" (rounded down) and 53 hours (44 % × 120 =
        // 52,8); unrounded the group is 44,7 % and needs 53,6 hours.
        assert!((g.share_f64() * 100.0 - 44.7).abs() < 0.05);
        assert!((g.hours_per_week - 53.6).abs() < 0.05);
        assert!((0.44 * REFERENCE_WEEKLY_AGENT_HOURS - 52.8).abs() < 1e-9);
        assert_eq!(g.split.weekly_agent_hours, g.hours_per_week);
        assert_eq!(g.split.total_share(), Share::one());
    }

    #[test]
    fn shares_add_up_to_exactly_one_for_awkward_populations() {
        let members = [
            member(101, "A", 1),
            member(147, "B", 1),
            member(151, "C", 1),
        ];
        let s = split(&members, 10.0, REFERENCE_SHIFT).unwrap();
        assert_eq!(s.total_share(), Share::one());
        assert_eq!(s.rows[0].share, Share::new(1, 3));
        let members = [member(101, "A", 0), member(147, "B", 7)];
        let s = split(&members, 10.0, REFERENCE_SHIFT).unwrap();
        assert_eq!(s.rows[0].hours_per_week, 0.0);
        assert_eq!(s.rows[1].hours_per_week, 10.0);
    }

    #[test]
    fn nothing_to_divide_by_is_an_error() {
        assert!(split(&[], 120.0, REFERENCE_SHIFT).is_err());
        assert!(split(&[member(101, "A", 0)], 120.0, REFERENCE_SHIFT).is_err());
        assert!(split(&[member(101, "A", -5)], 120.0, REFERENCE_SHIFT).is_err());
        assert!(split(&[member(101, "A", 5)], f64::NAN, REFERENCE_SHIFT).is_err());
        let no_agents = Shift {
            hours: 3.0,
            agents: 0,
        };
        assert!(split(&[member(101, "A", 5)], 120.0, no_agents).is_err());
        let twice = [member(101, "A", 5), member(101, "A", 5)];
        assert!(split(&twice, 120.0, REFERENCE_SHIFT).is_err());
        assert!(proposed_group(&[member(101, "A", 5)], 0, 120.0, REFERENCE_SHIFT).is_err());
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        // January: Danish time is UTC + 1.
        Utc.with_ymd_and_hms(2015, 1, day, hour - 1, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn staffed_hours_are_clipped_to_the_period() {
        let aalborg = MunicipalityCode::new(851).unwrap();
        let laeso = MunicipalityCode::new(825).unwrap();
        let shifts = [
            // Inside: 3 hours × 2 agents.
            RosterShift {
                member: aalborg,
                start: at(5, 8),
                end: at(5, 11),
                agents: 2,
            },
            // Starts the day before the period: 1 of its 3 hours counts.
            RosterShift {
                member: aalborg,
                start: Utc.with_ymd_and_hms(2015, 1, 4, 21, 0, 0).unwrap(),
                end: Utc.with_ymd_and_hms(2015, 1, 5, 0, 0, 0).unwrap(),
                agents: 1,
            },
            // After the period.
            RosterShift {
                member: laeso,
                start: at(12, 8),
                end: at(12, 11),
                agents: 2,
            },
        ];
        let staffed = staffed_hours(&shifts, date(2015, 1, 5), date(2015, 1, 11)).unwrap();
        assert_eq!(staffed.of(aalborg), 7.0);
        assert_eq!(staffed.of(laeso), 0.0);
        assert!(!staffed.hours.contains_key(&laeso));
        assert_eq!(staffed.days(), 7);
        assert_eq!(staffed.weeks(), 1.0);
        assert!(staffed_hours(&shifts, date(2015, 1, 5), date(2015, 1, 4)).is_err());
    }

    #[test]
    fn staffed_hours_are_held_against_the_share() {
        let members = [member(851, "Aalborg", 3), member(825, "Læsø", 1)];
        let s = split(&members, 12.0, REFERENCE_SHIFT).unwrap();
        let aalborg = MunicipalityCode::new(851).unwrap();
        let other = MunicipalityCode::new(101).unwrap();
        let shifts = [
            RosterShift {
                member: aalborg,
                start: at(5, 8),
                end: at(5, 14),
                agents: 2,
            },
            RosterShift {
                member: other,
                start: at(6, 8),
                end: at(6, 9),
                agents: 1,
            },
        ];
        // Two weeks: Aalborg owes 3/4 × 12 × 2 = 18 hours, staffed 12.
        let staffed = staffed_hours(&shifts, date(2015, 1, 5), date(2015, 1, 18)).unwrap();
        let b = against_share(&s, &staffed);
        assert_eq!(b.weeks, 2.0);
        assert_eq!(b.rows[0].due_hours, 18.0);
        assert_eq!(b.rows[0].staffed_hours, 12.0);
        assert_eq!(b.rows[0].difference, -6.0);
        assert_eq!(b.rows[1].due_hours, 6.0);
        assert_eq!(b.rows[1].difference, -6.0);
        assert_eq!(b.total_due_hours, 24.0);
        assert_eq!(b.total_staffed_hours, 12.0);
        assert_eq!(b.outside_split, vec![(other, 1.0)]);
    }
}
