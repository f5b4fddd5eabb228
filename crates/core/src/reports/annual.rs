//! The annualised estimate (issue "The yearly cycle", item 4): from the
//! inquiries of the counted weeks to a year, with its uncertainty.
//!
//! # Rule
//! Only whole ISO weeks (Monday to Sunday) inside the period count. The
//! estimate is the mean inquiries of those weeks × 52. Its 95 % interval is
//! 52 × (mean ± t × s ÷ √n), with s the weeks' sample standard deviation and
//! t Student's two-sided 95 % value for n − 1 degrees of freedom: it says how
//! much the estimate could move had other weeks like these been counted. It
//! cannot say how typical the counted weeks are of the year (holidays,
//! seasons), which is why the method counts the same weeks every year; the
//! page says so. With fewer than two whole weeks there is no estimate.

use crate::CoreResult;
use chrono::{Datelike, NaiveDate, Weekday};
use komhen_domain::MunicipalityCode;
use komhen_store::{Aggregate, Column, Key, Store, TestRows};

/// Weeks in a year, for the estimate.
pub const WEEKS_PER_YEAR: f64 = 52.0;

/// Student's t, two-sided 95 %, for 1 to 30 degrees of freedom (standard
/// tables, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2); beyond 30 the normal
/// value 1,96 stands in.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Student's two-sided 95 % value for `df` degrees of freedom (≥ 1).
pub fn t95(df: usize) -> f64 {
    T95.get(df.saturating_sub(1)).copied().unwrap_or(1.96)
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnnualEstimate {
    /// The whole weeks counted: (ISO year, week, inquiries).
    pub weeks: Vec<(i32, u32, i64)>,
    pub mean_per_week: f64,
    pub estimate: f64,
    /// The 95 % interval (never below the counted inquiries' yearly rate of
    /// zero).
    pub low: f64,
    pub high: f64,
}

/// The estimate from a list of weekly counts (see the module's rule).
pub fn estimate(weeks: Vec<(i32, u32, i64)>) -> Option<AnnualEstimate> {
    let n = weeks.len();
    if n < 2 {
        return None;
    }
    let counts: Vec<f64> = weeks.iter().map(|w| w.2 as f64).collect();
    let mean = counts.iter().sum::<f64>() / n as f64;
    let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t95(n - 1) * variance.sqrt() / (n as f64).sqrt();
    Some(AnnualEstimate {
        weeks,
        mean_per_week: mean,
        estimate: mean * WEEKS_PER_YEAR,
        low: ((mean - half) * WEEKS_PER_YEAR).max(0.0),
        high: (mean + half) * WEEKS_PER_YEAR,
    })
}

/// The whole ISO weeks from `from` to `to`: (Monday, Sunday).
fn whole_weeks(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut monday = from;
    while monday.weekday() != Weekday::Mon {
        monday = monday.succ_opt().unwrap_or(monday);
        if monday > to {
            return Vec::new();
        }
    }
    let mut weeks = Vec::new();
    while let Some(sunday) = monday.checked_add_days(chrono::Days::new(6)) {
        if sunday > to {
            break;
        }
        weeks.push((monday, sunday));
        monday = sunday + chrono::Days::new(1);
    }
    weeks
}

/// The municipality's annualised estimate for the period (test
/// registrations left out, the whole municipality).
pub async fn annual_estimate(
    store: &dyn Store,
    municipality: MunicipalityCode,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Option<AnnualEstimate>> {
    let weeks = whole_weeks(from, to);
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Ok(None);
    };
    let rows = store
        .aggregate(&Aggregate {
            municipalities: vec![municipality],
            from: Some(first.0),
            to: Some(last.1),
            test: TestRows::Exclude,
            group_by: vec![Column::Week],
            ..Aggregate::default()
        })
        .await?;
    let counted = weeks
        .iter()
        .map(|(monday, _)| {
            let iso = monday.iso_week();
            let n = rows
                .iter()
                .filter(|r| matches!(r.keys.as_slice(), [Key::Week(y, w)] if *y == iso.year() && *w == iso.week()))
                .map(|r| r.inquiries)
                .sum();
            (iso.year(), iso.week(), n)
        })
        .collect();
    Ok(estimate(counted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_52_weekly_means_with_a_student_t_interval() {
        // Weeks of 100, 120 and 110: mean 110, s = 10, t(2) = 4,303,
        // half-width 4,303 × 10 ÷ √3 = 24,843.
        let e = estimate(vec![(2026, 43, 100), (2026, 44, 120), (2026, 45, 110)]).unwrap();
        assert!((e.mean_per_week - 110.0).abs() < 1e-9);
        assert!((e.estimate - 5_720.0).abs() < 1e-9);
        let half = 4.303 * 10.0 / 3f64.sqrt();
        assert!((e.low - (110.0 - half) * 52.0).abs() < 1e-6, "{}", e.low);
        assert!((e.high - (110.0 + half) * 52.0).abs() < 1e-6, "{}", e.high);
        assert!(
            estimate(vec![(2026, 43, 100)]).is_none(),
            "one week gives no interval"
        );
        // Equal weeks: no spread, the interval is the estimate.
        let flat = estimate(vec![(2026, 1, 50), (2026, 2, 50)]).unwrap();
        assert_eq!((flat.low, flat.high), (2_600.0, 2_600.0));
        assert_eq!(t95(1), 12.706);
        assert_eq!(t95(40), 1.96);
    }

    #[test]
    fn only_whole_iso_weeks_inside_the_period_count() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // Wednesday 14 October to Sunday 8 November: weeks 43, 44 and 45.
        let weeks = whole_weeks(d(10, 14), d(11, 8));
        assert_eq!(
            weeks,
            vec![
                (d(10, 19), d(10, 25)),
                (d(10, 26), d(11, 1)),
                (d(11, 2), d(11, 8))
            ]
        );
        assert!(whole_weeks(d(10, 20), d(10, 25)).is_empty());
    }
}
