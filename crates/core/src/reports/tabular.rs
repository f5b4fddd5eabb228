//! A report as a table of cells, and that table as the files people take
//! away: CSV for Danish Excel (UTF-8 with BOM, `;`, decimal comma), XLSX
//! (numbers as numbers, shares as percentages), and JSON for programs.
//! Every chart's download, the pivot's, and the API's CSV are this one
//! table, so a figure is written the same way everywhere.
//!
//! Text cells that a spreadsheet would run as a formula (starting with
//! `=`, `+`, `-`, `@`, tab or carriage return) are written with a leading
//! apostrophe.

use crate::reports::{Dimension, Report, ReportRow};
use crate::{CoreError, CoreResult};
use komhen_domain::dl;
use komhen_ingest::text::neutralise;
use serde_json::{json, Value};
use std::borrow::Cow;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Integer(i64),
    /// A number with the given decimals.
    Decimal(f64, usize),
    /// A share, 0–1, shown as a percentage with one decimal.
    Share(f64),
    Empty,
}

impl Cell {
    /// The cell as Danish text (`12.345`, `41,2 %`).
    pub fn display_da(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Integer(n) => thousands(*n),
            Self::Decimal(x, d) => decimal_da(*x, *d),
            Self::Share(x) => format!("{} %", decimal_da(x * 100.0, 1)),
            Self::Empty => String::new(),
        }
    }

    /// The cell in a CSV file: no thousands separator, decimal comma.
    fn csv(&self) -> Cow<'_, str> {
        match self {
            Self::Text(t) => neutralise(t),
            Self::Integer(n) => Cow::Owned(n.to_string()),
            Self::Decimal(x, d) => Cow::Owned(plain_decimal(*x, *d)),
            Self::Share(x) => Cow::Owned(plain_decimal(x * 100.0, 4)),
            Self::Empty => Cow::Borrowed(""),
        }
    }
}

/// A decimal number with a decimal comma and no thousands separator (for
/// CSV); a value that rounds to zero is `0`, never `-0`.
fn plain_decimal(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let negative_zero =
        text.starts_with('-') && !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let text = if negative_zero { &text[1..] } else { &text[..] };
    text.replace('.', ",")
}

/// A number with `.` between thousands (Danish).
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A decimal number the Danish way: `1.234,5`.
pub fn decimal_da(value: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{}", thousands(whole))
    } else {
        format!("{sign}{},{fraction}", thousands(whole))
    }
}

/// A table: a header and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// CSV for Danish Excel: UTF-8 with BOM, `;`, CRLF.
    pub fn csv(&self) -> CoreResult<Vec<u8>> {
        let mut out = vec![0xEF, 0xBB, 0xBF];
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            let write_err =
                |e: csv::Error| CoreError::internal("tabellen kunne ikke skrives som CSV", e);
            writer
                .write_record(self.header.iter().map(|h| neutralise(h).into_owned()))
                .map_err(write_err)?;
            for row in &self.rows {
                writer
                    .write_record(row.iter().map(|c| c.csv().into_owned()))
                    .map_err(write_err)?;
            }
            writer
                .flush()
                .map_err(|e| CoreError::internal("tabellen kunne ikke skrives som CSV", e))?;
        }
        Ok(out)
    }

    /// An XLSX workbook of one sheet: see [`Table::write_sheet`].
    pub fn xlsx(&self, sheet_name: &str) -> CoreResult<Vec<u8>> {
        let mut book = rust_xlsxwriter::Workbook::new();
        self.write_sheet(book.add_worksheet(), sheet_name)?;
        book.save_to_buffer().map_err(xlsx_err)
    }

    /// The table as a worksheet: the header in bold and frozen, whole
    /// numbers and shares as numbers (shares formatted as percentages).
    pub fn write_sheet(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        sheet_name: &str,
    ) -> CoreResult<()> {
        use rust_xlsxwriter::Format;
        let err = xlsx_err;
        let bold = Format::new().set_bold();
        let percent = Format::new().set_num_format("0.0%");
        let integer = Format::new().set_num_format("#,##0");
        let decimal: Vec<Format> = (0..=MAX_DECIMALS)
            .map(|d| {
                Format::new().set_num_format(if d == 0 {
                    "#,##0".to_owned()
                } else {
                    format!("#,##0.{}", "0".repeat(d))
                })
            })
            .collect();
        let name: String = sheet_name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet
            .set_name(if name.is_empty() { "Tabel" } else { &name })
            .map_err(err)?;
        for (col, header) in self.header.iter().enumerate() {
            let col = u16::try_from(col)
                .map_err(|_| CoreError::Invalid(dl!("for mange kolonner").into()))?;
            sheet
                .write_string_with_format(0, col, header.as_str(), &bold)
                .map_err(err)?;
            sheet
                .set_column_width(col, (header.chars().count() as f64).clamp(10.0, 40.0))
                .map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)
                .map_err(|_| CoreError::Invalid(dl!("for mange rækker").into()))?;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet
                            .write_string(r, col, neutralise(t).as_ref())
                            .map_err(err)?;
                    }
                    Cell::Integer(n) => {
                        sheet
                            .write_number_with_format(r, col, *n as f64, &integer)
                            .map_err(err)?;
                    }
                    Cell::Decimal(x, decimals) => {
                        // The value the page and the CSV show (rounded to
                        // its decimals), formatted with them.
                        let decimals = (*decimals).min(MAX_DECIMALS);
                        let rounded = round_to(*x, decimals);
                        sheet
                            .write_number_with_format(r, col, rounded, &decimal[decimals])
                            .map_err(err)?;
                    }
                    Cell::Share(x) => {
                        sheet
                            .write_number_with_format(r, col, *x, &percent)
                            .map_err(err)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        Ok(())
    }
}

/// The most decimals a table's number is written with.
const MAX_DECIMALS: usize = 4;

/// `x` rounded to `decimals` decimals, as the CSV writes it.
fn round_to(x: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (x * scale).round() / scale
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> CoreError {
    CoreError::internal("tabellen kunne ikke skrives som Excel", e)
}

/// Which measure columns a report's table has.
fn has_durations(report: &Report) -> bool {
    report.total.mean_duration_s.is_some()
}

/// A report as a table: per dimension its code and its name, then the
/// inquiries, share, comparison and durations; the last row is the total.
pub fn report_table(report: &Report) -> Table {
    let mut header = Vec::new();
    for (label, dimension) in report.dimension_labels.iter().zip(&report.dimensions) {
        if dimension.has_own_code() {
            header.push(format!("{label} (kode)"));
        }
        header.push(label.clone());
    }
    header.push("Henvendelser".into());
    header.push(share_header(report));
    let compared = report.request.comparison.is_some();
    if compared {
        header.push("Henvendelser, sammenligning".into());
        header.push("Andel, sammenligning (%)".into());
        header.push("Ændring".into());
        header.push("Ændring (%)".into());
        header.push("Ændring i andel (procentpoint)".into());
    }
    let durations = has_durations(report);
    if durations {
        header.push("Gennemsnitlig registreringstid (sek.)".into());
    }
    if report.request.median {
        header.push("Median registreringstid (sek.)".into());
    }
    let cost = report.request.cost;
    if cost {
        header.push("Omkostning (kr.)".into());
        header.push("Henvendelser uden pris".into());
        if compared {
            header.push("Omkostning, sammenligning (kr.)".into());
            header.push("Ændring i omkostning (kr.)".into());
        }
    }
    let kroner = |ore: i64| Cell::Decimal(ore as f64 / 100.0, 2);
    let row_cells = |row: &ReportRow, total: bool| {
        let mut cells = Vec::new();
        if total {
            for (i, dimension) in report.dimensions.iter().enumerate() {
                if dimension.has_own_code() {
                    cells.push(Cell::Empty);
                }
                cells.push(if i == 0 {
                    Cell::Text("I alt".into())
                } else {
                    Cell::Empty
                });
            }
        } else {
            for (key, dimension) in row.keys.iter().zip(&report.dimensions) {
                if dimension.has_own_code() {
                    cells.push(Cell::Text(key.code.clone()));
                }
                cells.push(Cell::Text(key.label.clone()));
            }
        }
        cells.push(Cell::Integer(row.inquiries));
        cells.push(Cell::Share(row.share));
        if compared {
            match row.comparison {
                Some(c) => {
                    cells.push(Cell::Integer(c.inquiries));
                    cells.push(Cell::Share(c.share));
                    cells.push(Cell::Integer(c.change));
                    cells.push(c.change_pct.map_or(Cell::Empty, |p| Cell::Decimal(p, 1)));
                    cells.push(Cell::Decimal(c.share_change_pp, 1));
                }
                None => cells.extend(std::iter::repeat_n(Cell::Empty, 5)),
            }
        }
        if durations {
            cells.push(
                row.mean_duration_s
                    .map_or(Cell::Empty, |s| Cell::Decimal(s, 1)),
            );
        }
        if report.request.median {
            cells.push(
                row.median_duration_s
                    .map_or(Cell::Empty, |s| Cell::Decimal(s, 0)),
            );
        }
        if cost {
            let now = row.cost.unwrap_or_default();
            cells.push(kroner(now.ore));
            cells.push(Cell::Integer(now.unpriced_inquiries));
            if compared {
                match row.comparison.and_then(|c| c.cost) {
                    Some(then) => {
                        cells.push(kroner(then.ore));
                        cells.push(kroner(now.ore - then.ore));
                    }
                    None => cells.extend(std::iter::repeat_n(Cell::Empty, 2)),
                }
            }
        }
        cells
    };
    let mut rows: Vec<Vec<Cell>> = report.rows.iter().map(|r| row_cells(r, false)).collect();
    rows.push(row_cells(&report.total, true));
    Table { header, rows }
}

fn share_header(report: &Report) -> String {
    match (report.request.share_of, report.dimension_labels.first()) {
        (crate::reports::ShareOf::FirstDimension, Some(d)) if report.dimensions.len() > 1 => {
            format!("Andel af {} (%)", d.to_lowercase())
        }
        _ if report.asked.is_some() => "Andel af de spurgte (%)".into(),
        _ => "Andel (%)".into(),
    }
}

/// A report as JSON: the request as link pairs, the dimensions, the rows
/// with their keys, and the total.
pub fn report_json(report: &Report, query_pairs: &[(String, String)]) -> Value {
    let cost_json = |cost: Option<crate::reports::Cost>| {
        cost.map(|c| {
            json!({
                "ore": c.ore,
                "kroner": c.ore as f64 / 100.0,
                "unpriced_inquiries": c.unpriced_inquiries,
            })
        })
    };
    let row_json = |row: &ReportRow| {
        json!({
            "keys": row.keys.iter().zip(&report.dimensions).map(|(k, d)| json!({
                "dimension": d.code(),
                "code": k.code,
                "label": k.label,
            })).collect::<Vec<_>>(),
            "inquiries": row.inquiries,
            "registrations": row.rows,
            "share": row.share,
            "mean_duration_seconds": row.mean_duration_s,
            "median_duration_seconds": row.median_duration_s,
            "cost": cost_json(row.cost),
            "comparison": row.comparison.map(|c| json!({
                "cost": cost_json(c.cost),
                "inquiries": c.inquiries,
                "share": c.share,
                "change": c.change,
                "change_percent": c.change_pct,
                "share_change_points": c.share_change_pp,
            })),
        })
    };
    json!({
        "query": query_pairs.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "municipalities": report.request.municipalities.iter().map(|m| m.get()).collect::<Vec<_>>(),
        "from": report.request.dates.from.to_string(),
        "to": report.request.dates.to.to_string(),
        "comparison": report.request.comparison.map(|c| json!({"from": c.from.to_string(), "to": c.to.to_string()})),
        "dimensions": report.dimensions.iter().zip(&report.dimension_labels).map(|(d, label): (&Dimension, _)| json!({
            "code": d.code(),
            "label": label,
        })).collect::<Vec<_>>(),
        "asked": report.asked.map(|a| json!({"asked": a.asked, "all": a.all})),
        "rows": report.rows.iter().map(row_json).collect::<Vec<_>>(),
        "total": row_json(&report.total),
        "unpriced": report.unpriced.iter().map(|u| json!({
            "channel": u.channel.as_str(),
            "inquiries": u.inquiries,
        })).collect::<Vec<_>>(),
        "example_prices": report.example_prices,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn danish_numbers() {
        assert_eq!(thousands(1234567), "1.234.567");
        assert_eq!(thousands(-1000), "-1.000");
        assert_eq!(decimal_da(1234.56, 1), "1.234,6");
        assert_eq!(decimal_da(-0.04, 1), "0,0");
        assert_eq!(decimal_da(-2.5, 1), "-2,5");
        assert_eq!(Cell::Share(0.4123).display_da(), "41,2 %");
        assert_eq!(plain_decimal(-0.04, 1), "0,0");
        assert_eq!(plain_decimal(-1.25, 1), "-1,2");
    }

    #[test]
    fn formulas_are_neutralised_in_csv_and_text_stays() {
        let table = Table {
            header: vec!["Enhed".into(), "Antal".into()],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Integer(-3)],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Decimal(1.5, 1)],
                vec![Cell::Text("Borgerservice".into()), Cell::Share(0.5)],
            ],
        };
        let csv = String::from_utf8(table.csv().unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\";-3\r\n"), "{csv}");
        assert!(csv.contains("'@SUM(A1);1,5\r\n"));
        assert!(csv.contains("Borgerservice;50,0000\r\n"));
        assert!(table.xlsx("Tabel").unwrap().starts_with(b"PK"));
    }
}
