//! The website channel's rules: which page a visit was to, which task a
//! page belongs to by the municipality's mapping, and the period a
//! web-analytics report covers.
//!
//! A page is compared as a [`PagePath`]: the path of its address only.
//! - the scheme and host name are dropped (`https://www.koege.dk/borger/pas`
//!   is `/borger/pas`): the municipality's analytics site is its website,
//!   so a mapping is a path on it;
//! - the query string and fragment are dropped (`/borger/pas?print=1#top`
//!   is `/borger/pas`), so a page counts the same however it was linked;
//! - percent-encoded letters are decoded (`/b%C3%B8rn` is `/børn`) and
//!   everything is compared in lower case, as municipal CMSs serve paths;
//! - empty segments go: a trailing slash and doubled slashes do not count.
//!
//! A mapping's path matches a page when it is the page or a folder above
//! it, segment by segment: `/borger/pas` matches `/borger/pas` and
//! `/borger/pas/ny` but not `/borger/pasfoto`. Of several matching
//! mappings the longest wins ([`longest_match`]).
//!
//! Must not do I/O or know the store: core applies these rules to a
//! municipality's stored mappings and a file's rows.

use crate::ParseError;
use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

/// One mapping of a website path to a task, of one municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WebPageId(pub i64);

impl fmt::Display for WebPageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The longest address komhen keeps.
const MAX_PATH: usize = 500;

/// A page's path as komhen compares it (see the module documentation):
/// always starts with `/`, lower case, no empty segments, no query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PagePath(String);

impl PagePath {
    /// A path or full address as a coordinator types it.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let text = value.trim();
        if text.is_empty() {
            return Err(ParseError::new(
                dl!("adresse"),
                value,
                dl!(
                    "forventede en sti som /borger/pas eller en hel adresse som \
                 https://www.kommune.dk/borger/pas"
                ),
            ));
        }
        if text.chars().count() > MAX_PATH {
            return Err(ParseError::new(
                dl!("adresse"),
                value,
                dl!("forventede højst 500 tegn"),
            ));
        }
        Ok(Self::normalise(text))
    }

    /// The page a web-analytics row names, from its URL or its label: a
    /// full address or a path. None for a label that is neither (Matomo's
    /// "Page URL not defined", a folder's name).
    pub fn of_visit(text: &str) -> Option<Self> {
        let text = text.trim();
        let looks_like_page = text.starts_with('/') || text.contains("://");
        (looks_like_page && text.chars().count() <= MAX_PATH).then(|| Self::normalise(text))
    }

    fn normalise(text: &str) -> Self {
        let without_fragment = text.split('#').next().unwrap_or_default();
        let without_query = without_fragment.split('?').next().unwrap_or_default();
        let path = match without_query.split_once("://") {
            // `https://host/path`: drop the scheme and the host.
            Some((scheme, rest))
                if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                rest.find('/').map_or("", |i| &rest[i..])
            }
            _ => match without_query.strip_prefix("//") {
                Some(rest) => rest.find('/').map_or("", |i| &rest[i..]),
                None if without_query.to_ascii_lowercase().starts_with("www.") => {
                    without_query.find('/').map_or("", |i| &without_query[i..])
                }
                None => without_query,
            },
        };
        let decoded = percent_decode(path).to_lowercase();
        let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
        Self(format!("/{}", segments.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole website (`/`).
    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// True when this page is `prefix` or below it, segment by segment.
    pub fn is_within(&self, prefix: &PagePath) -> bool {
        prefix.is_root()
            || self.0 == prefix.0
            || (self.0.starts_with(&prefix.0)
                && self.0.as_bytes().get(prefix.0.len()) == Some(&b'/'))
    }
}

impl fmt::Display for PagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `%XX` sequences decoded when they make UTF-8; otherwise the text as given.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// The value of the mapping whose path is the longest one `page` is within.
pub fn longest_match<'a, T: Copy + 'a>(
    page: &PagePath,
    mappings: impl IntoIterator<Item = (&'a PagePath, T)>,
) -> Option<T> {
    mappings
        .into_iter()
        .filter(|(path, _)| page.is_within(path))
        .max_by_key(|(path, _)| path.0.len())
        .map(|(_, value)| value)
}

/// The days a report covers, first to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

const PERIOD_EXPECTED: &str = dl!(
    "forventede en dato som 21-10-2025 (eller 2025-10-21), en måned \
     som 2025-10, et år som 2025 eller en periode som 20-10-2025..26-10-2025"
);

impl ReportPeriod {
    pub fn day(day: NaiveDate) -> Self {
        Self { from: day, to: day }
    }

    /// A day (`21-10-2025`, `21.10.2025`, `2025-10-21`), a month
    /// (`2025-10`, `10-2025`), a year (`2025`), or two of those joined by
    /// `..` (or ` til `) for a range from the first's start to the second's end.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let text = value.trim();
        let error = || ParseError::new(dl!("periode"), value, PERIOD_EXPECTED);
        let (first, last) = match text.split_once("..").or_else(|| text.split_once(" til ")) {
            Some((a, b)) => (
                one_period(a.trim()).ok_or_else(error)?,
                one_period(b.trim()).ok_or_else(error)?,
            ),
            None => {
                let one = one_period(text).ok_or_else(error)?;
                (one, one)
            }
        };
        if first.from > last.to {
            return Err(ParseError::new(
                dl!("periode"),
                value,
                dl!("forventede den første dag før den sidste"),
            ));
        }
        Ok(Self {
            from: first.from,
            to: last.to,
        })
    }

    /// True for a period of one day.
    pub fn is_day(&self) -> bool {
        self.from == self.to
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The period in Danish: `21-10-2025` or `20-10-2025 – 26-10-2025`.
    pub fn label_da(&self) -> String {
        if self.is_day() {
            self.from.format("%d-%m-%Y").to_string()
        } else {
            format!(
                "{} – {}",
                self.from.format("%d-%m-%Y"),
                self.to.format("%d-%m-%Y")
            )
        }
    }
}

fn number(text: &str) -> Option<u32> {
    (!text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn month(year: u32, month: u32) -> Option<ReportPeriod> {
    let first = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some(ReportPeriod {
        from: first,
        to: last,
    })
}

/// One day, month or year.
fn one_period(text: &str) -> Option<ReportPeriod> {
    let separator = text.chars().find(|c| matches!(c, '-' | '.' | '/'));
    let parts: Vec<&str> = match separator {
        Some(s) => text.split(s).collect(),
        None => vec![text],
    };
    match parts.as_slice() {
        [year] if year.len() == 4 => {
            let year = i32::try_from(number(year)?).ok()?;
            Some(ReportPeriod {
                from: NaiveDate::from_ymd_opt(year, 1, 1)?,
                to: NaiveDate::from_ymd_opt(year, 12, 31)?,
            })
        }
        [year, m] if year.len() == 4 && m.len() <= 2 => month(number(year)?, number(m)?),
        [m, year] if year.len() == 4 && m.len() <= 2 => month(number(year)?, number(m)?),
        [year, m, d] if year.len() == 4 => {
            let day = NaiveDate::from_ymd_opt(
                i32::try_from(number(year)?).ok()?,
                number(m)?,
                number(d)?,
            )?;
            Some(ReportPeriod::day(day))
        }
        [d, m, year] if year.len() == 4 && d.len() <= 2 => {
            let day = NaiveDate::from_ymd_opt(
                i32::try_from(number(year)?).ok()?,
                number(m)?,
                number(d)?,
            )?;
            Some(ReportPeriod::day(day))
        }
        _ => None,
    }
    .filter(|p| p.from.year() >= 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> String {
        PagePath::parse(text).unwrap().as_str().to_owned()
    }

    #[test]
    fn host_query_fragment_case_and_slashes_do_not_count() {
        assert_eq!(
            path("https://www.Koege.dk/Borger/Pas/?print=1#top"),
            "/borger/pas"
        );
        assert_eq!(path("/borger//pas/"), "/borger/pas");
        assert_eq!(path("borger/pas"), "/borger/pas");
        assert_eq!(path("www.koege.dk/borger/pas"), "/borger/pas");
        assert_eq!(path("/b%C3%B8rn-og-unge"), "/børn-og-unge");
        assert_eq!(path("/Børn"), "/børn");
        assert_eq!(path("https://www.koege.dk"), "/");
        assert!(PagePath::parse("  ").is_err());
    }

    #[test]
    fn a_mapping_matches_its_page_and_pages_below_it_not_siblings() {
        let prefix = PagePath::parse("/borger/pas").unwrap();
        for page in ["/borger/pas", "/borger/pas/ny", "/borger/pas/ny/ansoeg"] {
            assert!(PagePath::parse(page).unwrap().is_within(&prefix), "{page}");
        }
        for page in ["/borger/pasfoto", "/borger", "/erhverv/borger/pas"] {
            assert!(!PagePath::parse(page).unwrap().is_within(&prefix), "{page}");
        }
    }

    #[test]
    fn the_longest_matching_mapping_wins() {
        let mappings = [
            (PagePath::parse("/borger").unwrap(), 1),
            (PagePath::parse("/borger/pas").unwrap(), 2),
            (PagePath::parse("/borger/pas/boern").unwrap(), 3),
        ];
        let task = |page: &str| {
            longest_match(
                &PagePath::parse(page).unwrap(),
                mappings.iter().map(|(p, t)| (p, *t)),
            )
        };
        assert_eq!(task("/borger/pas/boern/under-18"), Some(3));
        assert_eq!(task("/borger/pas/voksne"), Some(2));
        assert_eq!(task("/borger/affald"), Some(1));
        assert_eq!(task("/erhverv"), None);
    }

    #[test]
    fn a_visit_is_a_page_only_when_it_names_an_address() {
        assert_eq!(
            PagePath::of_visit("http://example.org/dir1/page0.html").map(|p| p.0),
            Some("/dir1/page0.html".into())
        );
        assert_eq!(PagePath::of_visit("Page URL not defined"), None);
        assert_eq!(PagePath::of_visit("borger"), None);
    }

    #[test]
    fn a_report_period_is_a_day_a_month_a_year_or_a_range() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let p = |t: &str| ReportPeriod::parse(t).unwrap();
        assert_eq!(p("21-10-2025"), ReportPeriod::day(day(2025, 10, 21)));
        assert_eq!(p("2025-10-21"), ReportPeriod::day(day(2025, 10, 21)));
        assert_eq!(p("21.10.2025"), ReportPeriod::day(day(2025, 10, 21)));
        assert_eq!(p("2025-02").to, day(2025, 2, 28));
        assert_eq!(
            p("2025"),
            ReportPeriod {
                from: day(2025, 1, 1),
                to: day(2025, 12, 31)
            }
        );
        assert_eq!(
            p("20-10-2025..26-10-2025"),
            ReportPeriod {
                from: day(2025, 10, 20),
                to: day(2025, 10, 26)
            }
        );
        assert_eq!(p("2025-10 til 2025-12").to, day(2025, 12, 31));
        assert!(p("21-10-2025").is_day());
        assert!(ReportPeriod::parse("26-10-2025..20-10-2025").is_err());
        assert!(ReportPeriod::parse("i går").is_err());
        assert!(ReportPeriod::parse("31-02-2025").is_err());
    }
}
