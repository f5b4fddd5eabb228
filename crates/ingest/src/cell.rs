//! Values of single cells, read straight from bytes.
//!
//! Owns the cell grammars every reader shares: dates (`DD-MM-YYYY`,
//! `DD.MM.YYYY`, `YYYY-MM-DD`, each with an optional ` HH:MM[:SS]`), times,
//! whole numbers with Danish thousands dots, seconds with a decimal comma,
//! the `NULL` of the national template, and Danish wall-clock time to UTC.
//! They work on bytes without allocating, because the codebook path reads a
//! million rows a second. Must not know which column a value came from:
//! the readers word the problems.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use komhen_domain::{da, danish_instant};

/// Leading and trailing ASCII spaces (and tabs) removed.
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Empty, or the national template's `NULL` (any case): no value.
pub(crate) fn is_null(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes.eq_ignore_ascii_case(b"NULL")
}

/// The cell as text for a message: lossy, and cut at 60 characters so a
/// runaway cell does not flood the report.
pub(crate) fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut}…")
    } else {
        text.into_owned()
    }
}

/// A wall-clock time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClockTime {
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

impl ClockTime {
    pub(crate) const MIDNIGHT: ClockTime = ClockTime {
        hour: 0,
        minute: 0,
        second: 0,
    };

    pub(crate) fn seconds(self) -> i64 {
        i64::from(self.hour * 3600 + self.minute * 60 + self.second)
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

fn two_digits(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
}

/// `H:MM` or `HH:MM`, optionally `:SS`.
pub(crate) fn parse_time(bytes: &[u8]) -> Option<ClockTime> {
    // The common shapes without splitting: `HH:MM` and `HH:MM:SS`.
    if (bytes.len() == 5 || bytes.len() == 8) && bytes[2] == b':' {
        let hour = two_digits(bytes[0], bytes[1])?;
        let minute = two_digits(bytes[3], bytes[4])?;
        let second = if bytes.len() == 8 {
            if bytes[5] != b':' {
                return None;
            }
            two_digits(bytes[6], bytes[7])?
        } else {
            0
        };
        return (hour < 24 && minute < 60 && second < 60).then_some(ClockTime {
            hour,
            minute,
            second,
        });
    }
    let mut parts = bytes.split(|&b| b == b':');
    let hour = parts.next().filter(|p| (1..=2).contains(&p.len()))?;
    let minute = parts.next().filter(|p| p.len() == 2)?;
    let second = match parts.next() {
        Some(p) if p.len() == 2 => digits(p)?,
        Some(_) => return None,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let (hour, minute) = (digits(hour)?, digits(minute)?);
    (hour < 24 && minute < 60 && second < 60).then_some(ClockTime {
        hour,
        minute,
        second,
    })
}

/// `DD-MM-YYYY`, `DD.MM.YYYY`, `DD/MM/YYYY` (day and month may have one
/// digit) or `YYYY-MM-DD`.
pub(crate) fn parse_date(bytes: &[u8]) -> Option<NaiveDate> {
    let (year, month, day) = date_parts(bytes)?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The year, month and day of a cell shaped as a date, whether or not
/// that day exists.
fn date_parts(bytes: &[u8]) -> Option<(i32, u32, u32)> {
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let year = digits(&bytes[..4])?;
        let month = digits(&bytes[5..7])?;
        let day = digits(&bytes[8..])?;
        return Some((i32::try_from(year).ok()?, month, day));
    }
    // The common shape without splitting: `DD-MM-YYYY` (or with `.` or `/`).
    if bytes.len() == 10 && matches!(bytes[2], b'-' | b'.' | b'/') && bytes[5] == bytes[2] {
        let day = two_digits(bytes[0], bytes[1])?;
        let month = two_digits(bytes[3], bytes[4])?;
        let year = digits(&bytes[6..])?;
        return Some((i32::try_from(year).ok()?, month, day));
    }
    let separator = *bytes.iter().find(|b| matches!(b, b'-' | b'.' | b'/'))?;
    let mut parts = bytes.split(|&b| b == separator);
    let day = parts.next().filter(|p| (1..=2).contains(&p.len()))?;
    let month = parts.next().filter(|p| (1..=2).contains(&p.len()))?;
    let year = parts.next().filter(|p| p.len() == 4)?;
    if parts.next().is_some() {
        return None;
    }
    Some((
        i32::try_from(digits(year)?).ok()?,
        digits(month)?,
        digits(day)?,
    ))
}

/// What is wrong with a date cell that could not be read, in Danish: a
/// well-written day that does not exist (31-11-2026) is named as such,
/// anything else as a date not written as `expected` says.
pub(crate) fn date_problem(bytes: &[u8], expected: &str) -> String {
    let date_part = bytes
        .iter()
        .position(|&b| b == b' ' || b == b'T')
        .map_or(bytes, |i| &bytes[..i]);
    let cell = shown(bytes);
    match date_parts(date_part) {
        Some((_, month, _)) if !(1..=12).contains(&month) => {
            da!("datoen «{cell}» har måned {month}, men måneden skal være 1–12. {expected}")
        }
        Some((year, month, day)) if NaiveDate::from_ymd_opt(year, month, day).is_none() => {
            let days = (28..=31)
                .rev()
                .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
                .unwrap_or(28);
            let month = NaiveDate::from_ymd_opt(year, month, 1).map_or_else(
                || da!("måned {month} {year}"),
                komhen_domain::month_label_da,
            );
            da!("datoen «{cell}» findes ikke: {month} har {days} dage")
        }
        _ => da!("ugyldig dato «{cell}». {expected}"),
    }
}

/// A date with an optional time after a space or `T`.
pub(crate) fn parse_date_time(bytes: &[u8]) -> Option<(NaiveDate, Option<ClockTime>)> {
    match bytes.iter().position(|&b| b == b' ' || b == b'T') {
        None => Some((parse_date(bytes)?, None)),
        Some(i) => {
            let date = parse_date(&bytes[..i])?;
            let time = parse_time(trim(&bytes[i + 1..]))?;
            Some((date, Some(time)))
        }
    }
}

/// A whole number of digits only.
pub(crate) fn parse_digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 18 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u64, |n, &b| n * 10 + u64::from(b - b'0')),
    )
}

/// A whole number, optionally with Danish thousands dots in groups of
/// three (`1.234`, `1.234.567`). Decimals (`2,5`, `1.5`) are refused.
pub(crate) fn parse_grouped(bytes: &[u8]) -> Option<u64> {
    if !bytes.contains(&b'.') {
        return parse_digits(bytes);
    }
    let mut groups = bytes.split(|&b| b == b'.');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut n = parse_digits(first)?;
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(parse_digits(group)?)?;
    }
    Some(n)
}

/// Seconds with an optional decimal comma or point, as milliseconds
/// (rounded half up to the millisecond).
pub(crate) fn parse_seconds_ms(bytes: &[u8]) -> Option<i64> {
    let (whole, fraction) = match bytes.iter().position(|&b| b == b',' || b == b'.') {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &b""[..]),
    };
    if whole.len() > 12 || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let whole = if whole.is_empty() {
        0
    } else {
        parse_digits(whole)?
    };
    if !fraction.iter().all(u8::is_ascii_digit) || fraction.len() > 9 {
        return None;
    }
    let mut ms = 0u64;
    for i in 0..3 {
        ms = ms * 10 + fraction.get(i).map_or(0, |&b| u64::from(b - b'0'));
    }
    if fraction.get(3).is_some_and(|&b| b >= b'5') {
        ms += 1;
    }
    i64::try_from(whole.checked_mul(1000)?.checked_add(ms)?).ok()
}

/// How many days [`DanishClock`] remembers.
const CLOCK_DAYS: usize = 64;

/// Danish wall-clock time to UTC, remembering days: the offset is the same
/// all day except on the two days a year the clocks move, so for any other
/// day the instant is local midnight's plus the seconds since. Remembered
/// by day (a direct-mapped table of [`CLOCK_DAYS`]), because upload rows
/// are not always in time order.
#[derive(Debug)]
pub(crate) struct DanishClock {
    /// Per slot: the day, and its midnight's instant if the offset holds all day.
    days: [Option<(NaiveDate, Option<DateTime<Utc>>)>; CLOCK_DAYS],
}

impl Default for DanishClock {
    fn default() -> Self {
        Self {
            days: [None; CLOCK_DAYS],
        }
    }
}

impl DanishClock {
    /// The instant, or None in the hour skipped when summer time begins.
    /// In the autumn hour that occurs twice, the first (as the domain does).
    pub(crate) fn instant(&mut self, date: NaiveDate, time: ClockTime) -> Option<DateTime<Utc>> {
        let slot = chrono::Datelike::num_days_from_ce(&date).rem_euclid(CLOCK_DAYS as i32) as usize;
        let steady_midnight = match self.days[slot] {
            Some((day, midnight)) if day == date => midnight,
            _ => {
                let midnight = danish_instant(date, 0, 0);
                let last_hour = danish_instant(date, 23, 0);
                // A day without a clock change is 23 hours from midnight to 23:00.
                let steady = match (midnight, last_hour) {
                    (Some(m), Some(l)) if l - m == Duration::hours(23) => Some(m),
                    _ => None,
                };
                self.days[slot] = Some((date, steady));
                steady
            }
        };
        let seconds = i64::from(time.hour * 3600 + time.minute * 60 + time.second);
        match steady_midnight {
            Some(midnight) => Some(midnight + Duration::seconds(seconds)),
            None => danish_instant(date, time.hour, time.minute)
                .map(|at| at + Duration::seconds(i64::from(time.second))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use komhen_domain::danish_local;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_accept_the_three_danish_forms() {
        for text in ["21-10-2013", "21.10.2013", "2013-10-21", "21/10/2013"] {
            assert_eq!(
                parse_date(text.as_bytes()),
                Some(day(2013, 10, 21)),
                "{text}"
            );
        }
        assert_eq!(parse_date(b"1-2-2025"), Some(day(2025, 2, 1)));
        for bad in ["31-02-2025", "2025-1-2", "21-10-13", "21-10.2013", "", "x"] {
            assert_eq!(parse_date(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn a_day_that_does_not_exist_is_named_as_such_not_as_a_wrong_format() {
        let expected = "Forventede DD-MM-ÅÅÅÅ";
        assert_eq!(
            date_problem(b"31-11-2026", expected),
            "datoen «31-11-2026» findes ikke: november 2026 har 30 dage"
        );
        assert_eq!(
            date_problem(b"2025-02-29 10:00", expected),
            "datoen «2025-02-29 10:00» findes ikke: februar 2025 har 28 dage"
        );
        assert_eq!(
            date_problem(b"29.02.2024", expected),
            "ugyldig dato «29.02.2024». Forventede DD-MM-ÅÅÅÅ",
            "2024 is a leap year: the day exists, so the cell must be otherwise wrong"
        );
        assert_eq!(
            date_problem(b"12-13-2026", expected),
            "datoen «12-13-2026» har måned 13, men måneden skal være 1–12. Forventede DD-MM-ÅÅÅÅ"
        );
        assert_eq!(
            date_problem(b"31-11-26", expected),
            "ugyldig dato «31-11-26». Forventede DD-MM-ÅÅÅÅ"
        );
    }

    #[test]
    fn date_times_take_minutes_or_seconds() {
        let (d, t) = parse_date_time(b"21-10-2013 09:05:07").unwrap();
        assert_eq!(
            (d, t.unwrap().to_string()),
            (day(2013, 10, 21), "09:05:07".into())
        );
        let (_, t) = parse_date_time(b"2013-10-21T9:05").unwrap();
        assert_eq!(t.unwrap().to_string(), "09:05:00");
        assert_eq!(parse_date_time(b"21-10-2013 24:00"), None);
        assert_eq!(parse_date_time(b"21-10-2013 10:5"), None);
    }

    #[test]
    fn grouped_numbers_take_thousands_dots_and_refuse_decimals() {
        assert_eq!(parse_grouped(b"1"), Some(1));
        assert_eq!(parse_grouped(b"1.234"), Some(1234));
        assert_eq!(parse_grouped(b"12.345.678"), Some(12_345_678));
        for bad in ["1,5", "1.5", "1.2345", ".123", "1.", "-3", "1 234", ""] {
            assert_eq!(parse_grouped(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn seconds_take_a_decimal_comma_or_point() {
        assert_eq!(parse_seconds_ms(b"12"), Some(12_000));
        assert_eq!(parse_seconds_ms(b"12,5"), Some(12_500));
        assert_eq!(parse_seconds_ms(b"12.25"), Some(12_250));
        assert_eq!(parse_seconds_ms(b"0,0005"), Some(1));
        assert_eq!(parse_seconds_ms(b",5"), Some(500));
        for bad in ["", ",", "1,2,3", "1.000,5", "x", "-1"] {
            assert_eq!(parse_seconds_ms(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn danish_clock_matches_the_domain_and_refuses_the_spring_gap() {
        let mut clock = DanishClock::default();
        let t = ClockTime {
            hour: 10,
            minute: 15,
            second: 30,
        };
        let at = clock.instant(day(2025, 10, 21), t).unwrap();
        assert_eq!(danish_local(at).to_string(), "2025-10-21 10:15:30");
        // Remembered day, other time.
        let at = clock
            .instant(day(2025, 10, 21), ClockTime { minute: 59, ..t })
            .unwrap();
        assert_eq!(danish_local(at).to_string(), "2025-10-21 10:59:30");
        let gap = ClockTime {
            hour: 2,
            minute: 30,
            second: 0,
        };
        assert_eq!(clock.instant(day(2026, 3, 29), gap), None);
        // Summer: two hours ahead of UTC.
        let at = clock.instant(day(2026, 6, 1), ClockTime::MIDNIGHT).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-05-31T22:00:00+00:00");
    }

    #[test]
    fn danish_clock_agrees_with_the_domain_on_every_hour_of_the_change_days() {
        let mut clock = DanishClock::default();
        for date in [
            day(2026, 3, 29),
            day(2026, 10, 25),
            day(2026, 3, 28),
            day(2026, 10, 26),
        ] {
            for hour in 0..24 {
                for (minute, second) in [(0, 0), (59, 59)] {
                    let t = ClockTime {
                        hour,
                        minute,
                        second,
                    };
                    let expected = danish_instant(date, hour, minute)
                        .map(|at| at + Duration::seconds(i64::from(second)));
                    assert_eq!(clock.instant(date, t), expected, "{date} {t}");
                }
            }
        }
    }
}
