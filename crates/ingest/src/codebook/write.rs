//! Writing codebook files: CSV for Danish Excel and XLSX with the codebook beside, templates included; formula cells neutralised.

use super::*;
use komhen_domain::{da, dl};

/// The cells of a row as the codebook writes them (local date, time).
pub(super) fn row_cells(row: &CodebookRow) -> [String; 11] {
    let local = danish_local(row.registered_at);
    let time = local.time();
    let time_text = if chrono::Timelike::second(&time) == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    };
    [
        row.municipality.to_string(),
        row.unit_login.clone().unwrap_or_default(),
        row.task.to_string(),
        row.channel.to_string(),
        row.inquiry_type
            .map(|t| t.code().to_owned())
            .unwrap_or_default(),
        row.completion
            .map(|c| c.code().to_owned())
            .unwrap_or_default(),
        match row.has_form {
            Some(true) => "JA".to_owned(),
            Some(false) => "NEJ".to_owned(),
            None => String::new(),
        },
        local.date().format("%d-%m-%Y").to_string(),
        time_text,
        row.quantity.to_string(),
        row.duration_ms.map(seconds_text).unwrap_or_default(),
    ]
}

/// Milliseconds as seconds with a decimal comma and no trailing zeros.
pub(super) fn seconds_text(ms: i64) -> String {
    let (whole, fraction) = (ms / 1000, ms % 1000);
    if fraction == 0 {
        whole.to_string()
    } else {
        let fraction = format!("{fraction:03}");
        format!("{whole},{}", fraction.trim_end_matches('0'))
    }
}

/// Writes codebook rows as CSV: UTF-8 with BOM (so Excel reads æøå), `;`.
/// Text a spreadsheet would run as a formula is neutralised
/// ([`crate::text::neutralise`]); the reader takes that off again.
pub struct CodebookCsvWriter<W: Write> {
    pub(super) csv: csv::Writer<W>,
}

impl<W: Write> CodebookCsvWriter<W> {
    /// Writes the BOM and the header (the codebook's columns, then `extra_headers`).
    pub fn new(mut write: W, extra_headers: &[String]) -> std::io::Result<Self> {
        write.write_all(&[0xEF, 0xBB, 0xBF])?;
        let mut writer = Self::continuing(write);
        let header = COLUMNS
            .iter()
            .map(|c| c.header)
            .chain(extra_headers.iter().map(String::as_str));
        writer
            .csv
            .write_record(header.map(|h| neutralise(h).into_owned()))?;
        Ok(writer)
    }

    /// A writer of more rows of a file whose BOM and header were written
    /// before (a download streamed in pieces).
    pub fn continuing(write: W) -> Self {
        let csv = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(write);
        Self { csv }
    }

    pub fn write_row(&mut self, row: &CodebookRow) -> std::io::Result<()> {
        let cells = row_cells(row);
        self.csv.write_record(
            cells
                .iter()
                .chain(row.extra.iter())
                .map(|c| neutralise_bytes(c)),
        )?;
        Ok(())
    }

    /// Flushes and hands back the writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// [`neutralise`] as bytes, for the `csv` writer.
pub(super) fn neutralise_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    match neutralise(text) {
        std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
        std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.into_bytes()),
    }
}

/// The template's example row: the codebook's own example values.
pub(super) fn example_record() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.example).collect()
}

/// The codebook template as CSV: UTF-8 with BOM, `;`, header and one
/// example row (the codebook's own examples).
pub fn template_csv() -> Vec<u8> {
    template_csv_with(&example_record())
}

/// The codebook template as CSV with `example` (one value per column, in
/// the codebook's order) as its example row: a municipality's template
/// carries a row its own set-up accepts.
pub fn template_csv_with(example: &[&str]) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let line = |cells: Vec<&str>| cells.join(";") + "\r\n";
    out.extend_from_slice(line(COLUMNS.iter().map(|c| c.header).collect()).as_bytes());
    let example: Vec<String> = example.iter().map(|v| neutralise(v).into_owned()).collect();
    out.extend_from_slice(line(example.iter().map(String::as_str).collect()).as_bytes());
    out
}

pub(super) fn xlsx_error(error: rust_xlsxwriter::XlsxError) -> IngestError {
    IngestError::one(
        "kodebogsskabelon.xlsx",
        Problem::line(
            1,
            ProblemKind::Unreadable,
            da!("Excel-filen kunne ikke skrives: {error}"),
        ),
    )
}

/// Codebook rows as an XLSX workbook: see [`CodebookSheet`].
pub fn codebook_xlsx(
    rows: &[CodebookRow],
    extra_headers: &[String],
) -> Result<Vec<u8>, IngestError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut writer = CodebookSheet::start(sheet, extra_headers)?;
    for row in rows {
        writer.write_row(sheet, row)?;
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// The most rows an XLSX sheet holds below its header.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// Writes codebook rows into a worksheet one at a time, in order (so a
/// worksheet in rust_xlsxwriter's constant-memory mode can take millions):
/// header in bold, frozen, column widths from [`COLUMNS`], `Dato` as a real
/// date cell, `Kommune`, `Antal` and `Varighed` as numbers, everything else as text (so
/// `15.20` stays a code, and text a spreadsheet would run is neutralised).
pub struct CodebookSheet {
    pub(super) next_row: u32,
    pub(super) date_format: rust_xlsxwriter::Format,
    pub(super) text_format: rust_xlsxwriter::Format,
    /// Seconds with up to three decimals (the registration time).
    pub(super) seconds_format: rust_xlsxwriter::Format,
}

impl CodebookSheet {
    /// Names the sheet `Henvendelser` and writes the header.
    pub fn start(
        sheet: &mut rust_xlsxwriter::Worksheet,
        extra_headers: &[String],
    ) -> Result<Self, IngestError> {
        use rust_xlsxwriter::Format;
        let bold = Format::new().set_bold();
        sheet.set_name("Henvendelser").map_err(xlsx_error)?;
        for (col, spec) in COLUMNS.iter().enumerate() {
            let col = col as u16;
            sheet
                .set_column_width(col, spec.width)
                .map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, col, spec.header, &bold)
                .map_err(xlsx_error)?;
        }
        for (i, header) in extra_headers.iter().enumerate() {
            let col = (COLUMNS.len() + i) as u16;
            sheet
                .set_column_width(col, (header.chars().count() as f64).clamp(8.0, 40.0))
                .map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, col, neutralise(header).as_ref(), &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Self {
            next_row: 1,
            date_format: Format::new().set_num_format("dd-mm-yyyy"),
            text_format: Format::new().set_num_format("@"),
            seconds_format: Format::new().set_num_format("0.0##"),
        })
    }

    /// Writes the next row; refuses one beyond [`XLSX_MAX_ROWS`].
    pub fn write_row(
        &mut self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        row: &CodebookRow,
    ) -> Result<(), IngestError> {
        use rust_xlsxwriter::ExcelDateTime;
        if u64::from(self.next_row) > XLSX_MAX_ROWS {
            return Err(xlsx_full(u64::from(self.next_row) + 1));
        }
        let r = self.next_row;
        let cells = row_cells(row);
        for (col, (spec, text)) in COLUMNS.iter().zip(&cells).enumerate() {
            let col = col as u16;
            match spec.column {
                CodebookColumn::Municipality => {
                    sheet
                        .write_number(r, col, f64::from(row.municipality.get()))
                        .map_err(xlsx_error)?;
                }
                CodebookColumn::Quantity => {
                    sheet
                        .write_number(r, col, row.quantity as f64)
                        .map_err(xlsx_error)?;
                }
                // Seconds as a number a spreadsheet can sum, not as text.
                CodebookColumn::Duration => {
                    if let Some(ms) = row.duration_ms {
                        sheet
                            .write_number_with_format(
                                r,
                                col,
                                ms as f64 / 1000.0,
                                &self.seconds_format,
                            )
                            .map_err(xlsx_error)?;
                    }
                }
                CodebookColumn::Date => {
                    let local = danish_local(row.registered_at).date();
                    let date = ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(&local)).unwrap_or(1900),
                        chrono::Datelike::month(&local) as u8,
                        chrono::Datelike::day(&local) as u8,
                    )
                    .map_err(xlsx_error)?;
                    sheet
                        .write_datetime_with_format(r, col, &date, &self.date_format)
                        .map_err(xlsx_error)?;
                }
                _ if text.is_empty() => {}
                _ => {
                    sheet
                        .write_string_with_format(
                            r,
                            col,
                            neutralise(text).as_ref(),
                            &self.text_format,
                        )
                        .map_err(xlsx_error)?;
                }
            }
        }
        for (i, value) in row.extra.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(r, (COLUMNS.len() + i) as u16, neutralise(value).as_ref())
                    .map_err(xlsx_error)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// Rows written below the header.
    pub fn rows(&self) -> u64 {
        u64::from(self.next_row - 1)
    }
}

pub(super) fn xlsx_full(line: u64) -> IngestError {
    IngestError::one(
        "udtræk.xlsx",
        Problem::line(
            line,
            ProblemKind::Limit,
            dl!(
                "et Excel-ark rummer højst 1.048.575 rækker under overskriften. Hent udtrækket \
             som CSV, eller vælg en kortere periode"
            ),
        ),
    )
}

/// The codebook template as XLSX: header in bold, one example row, column widths.
pub fn template_xlsx() -> Result<Vec<u8>, IngestError> {
    template_xlsx_with(&example_record())
}

/// The codebook template as XLSX with `example` as its example row (see
/// [`template_csv_with`]); the row is read back through the codebook's
/// reader first, so the workbook holds typed cells (a date as a date).
pub fn template_xlsx_with(example: &[&str]) -> Result<Vec<u8>, IngestError> {
    let template = template_csv_with(example);
    let mut rows = CodebookReader::with_limits(&template[..], Limits::none())?;
    let example = match rows.next() {
        Some(Ok(row)) => row,
        _ => {
            return Err(IngestError::one(
                "kodebogsskabelon.xlsx",
                Problem::line(
                    2,
                    ProblemKind::Invalid,
                    dl!("skabelonens eksempel kan ikke læses"),
                ),
            ))
        }
    };
    codebook_xlsx(&[example], &[])
}
