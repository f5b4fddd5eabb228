//! Extracts: a municipality's raw registrations as a file in the codebook's
//! own format (so it can be uploaded again), as CSV or XLSX, with the
//! codebook alongside.
//!
//! Owns turning the registrations behind a report request into codebook
//! rows: unit logins, KLE numbers and the answers to the municipality's
//! questions (one column each, headed by the question's Danish text, which
//! the upload matches). Rows come in id order, a page at a time
//! ([`PAGE_ROWS`]), so an extract of millions of rows is written at constant
//! memory: CSV a page at a time to whatever takes it (a streamed HTTP body, a
//! file), XLSX through rust_xlsxwriter's constant-memory worksheet into a
//! temporary file.
//!
//! The rows are exactly the report's: [`crate::reports::selection`] is the
//! one definition of "the registrations behind a figure" (test
//! registrations and uncommitted uploads never included, the user's scope
//! applied), so an extract, a drill-down and the figure agree.
//!
//! Must not decide who may extract: the caller has checked the user's
//! access and put their scope into the request.

use crate::reports::tabular::{Cell, Table};
use crate::reports::{self, ReportRequest};
use crate::{CoreError, CoreResult};
use komhen_domain::da;
use komhen_domain::{
    AnswerKind, Completion, KleNumber, MunicipalityCode, QuestionOptionId, RegistrationId, TaskId,
    UnitId,
};
use komhen_ingest::codebook::{
    CodebookCsvWriter, CodebookRow, CodebookSheet, COLUMNS, XLSX_MAX_ROWS,
};
use komhen_store::{Aggregate, QuestionRow, RegistrationRow, Store};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Registrations read per query.
pub const PAGE_ROWS: u32 = 5_000;

/// An extract being written: what it holds and where it has got to.
pub struct Extract {
    municipality: MunicipalityCode,
    selection: Aggregate,
    logins: HashMap<UnitId, String>,
    tasks: HashMap<TaskId, KleNumber>,
    /// The question columns after the codebook's, in order.
    questions: Vec<QuestionRow>,
    headers: Vec<String>,
    options: HashMap<QuestionOptionId, String>,
    after: Option<RegistrationId>,
    done: bool,
    /// Registrations and inquiries the report counts for the request.
    pub rows: i64,
    pub inquiries: i64,
}

impl Extract {
    /// Opens the extract of `municipality`'s registrations behind `request`
    /// (its grouping ignored).
    pub async fn open(
        store: &dyn Store,
        municipality: MunicipalityCode,
        request: &ReportRequest,
    ) -> CoreResult<Self> {
        if request.municipalities != [municipality] {
            return Err(CoreError::Invalid(da!(
                "et udtræk gælder én kommune, kommune {municipality}"
            )));
        }
        let mut plain = request.clone();
        plain.group_by.clear();
        plain.comparison = None;
        plain.median = false;
        let total = reports::run(store, &plain).await?.total;
        let selection = reports::selection(store, &plain).await?;
        let logins = store
            .list_units(municipality)
            .await?
            .into_iter()
            .map(|u| (u.id, u.login))
            .collect();
        let tasks = store
            .list_tasks(municipality)
            .await?
            .into_iter()
            .map(|t| (t.id, t.kle))
            .collect();
        let questions = question_columns(store, municipality).await?;
        let mut headers: Vec<String> = Vec::with_capacity(questions.len());
        for q in &questions {
            let mut header = q.label_da.trim().to_owned();
            // Two questions with one text: the second gets its code (the
            // upload matches a code as well as a text).
            if headers.iter().any(|h| h.eq_ignore_ascii_case(&header)) {
                header = q
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("{header} ({})", q.id.0));
            }
            headers.push(header);
        }
        let options = questions
            .iter()
            .flat_map(|q| q.options.iter().map(|o| (o.id, o.label_da.clone())))
            .collect();
        Ok(Self {
            municipality,
            selection,
            logins,
            tasks,
            questions,
            headers,
            options,
            after: None,
            done: false,
            rows: total.rows,
            inquiries: total.inquiries,
        })
    }

    /// Whether the rows fit on one Excel sheet.
    pub fn fits_xlsx(&self) -> bool {
        u64::try_from(self.rows).is_ok_and(|rows| rows <= XLSX_MAX_ROWS)
    }

    /// The columns after the codebook's: one per question.
    pub fn extra_headers(&self) -> &[String] {
        &self.headers
    }

    /// The next page of rows in id order; None when all are read.
    pub async fn next_page(&mut self, store: &dyn Store) -> CoreResult<Option<Vec<CodebookRow>>> {
        if self.done {
            return Ok(None);
        }
        let rows = store
            .select_registrations(&self.selection, self.after, PAGE_ROWS)
            .await?;
        if rows.len() < PAGE_ROWS as usize {
            self.done = true;
        }
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(None);
        };
        self.after = Some(last.id);
        let mut answers: HashMap<RegistrationId, Vec<(usize, String)>> = HashMap::new();
        if !self.questions.is_empty() {
            for (registration, answer) in store
                .list_answers_between(self.municipality, first.id, last.id)
                .await?
            {
                let Some(column) = self.questions.iter().position(|q| q.id == answer.question)
                else {
                    continue;
                };
                let value = match self.questions[column].answer_kind {
                    AnswerKind::Choice => answer
                        .option
                        .and_then(|o| self.options.get(&o).cloned())
                        .unwrap_or_default(),
                    AnswerKind::Text | AnswerKind::Number => answer.text.unwrap_or_default(),
                };
                answers
                    .entry(registration)
                    .or_default()
                    .push((column, value));
            }
        }
        rows.iter()
            .map(|r| self.codebook_row(r, answers.remove(&r.id).unwrap_or_default()))
            .collect::<CoreResult<Vec<_>>>()
            .map(Some)
    }

    fn codebook_row(
        &self,
        r: &RegistrationRow,
        answers: Vec<(usize, String)>,
    ) -> CoreResult<CodebookRow> {
        let task = self.tasks.get(&r.task).cloned().ok_or_else(|| {
            CoreError::Invalid(da!("registrering {} har en ukendt opgave", r.id.0))
        })?;
        let mut extra = vec![String::new(); self.questions.len()];
        for (column, value) in answers {
            extra[column] = value;
        }
        Ok(CodebookRow {
            line: 0,
            municipality: r.municipality,
            unit_login: r.unit.and_then(|u| self.logins.get(&u).cloned()),
            task,
            channel: r.channel.clone(),
            channel_written: None,
            inquiry_type: r.inquiry_type,
            completion: r.completion,
            has_form: r.has_form,
            registered_at: r.registered_at,
            quantity: r.quantity,
            duration_ms: r.duration_ms,
            extra,
        })
    }

    /// The start of the CSV file: BOM and header.
    pub fn csv_head(&self) -> CoreResult<Vec<u8>> {
        let writer = CodebookCsvWriter::new(Vec::new(), &self.headers).map_err(io_err)?;
        writer.finish().map_err(io_err)
    }

    /// More of the CSV file: the rows of a page.
    pub fn csv_rows(rows: &[CodebookRow]) -> CoreResult<Vec<u8>> {
        let mut writer = CodebookCsvWriter::continuing(Vec::with_capacity(rows.len() * 64));
        for row in rows {
            writer.write_row(row).map_err(io_err)?;
        }
        writer.finish().map_err(io_err)
    }

    /// Writes the whole extract as CSV; the number of rows written.
    pub async fn write_csv(mut self, store: &dyn Store, out: &mut dyn Write) -> CoreResult<u64> {
        out.write_all(&self.csv_head()?).map_err(io_err)?;
        let mut written = 0;
        while let Some(page) = self.next_page(store).await? {
            out.write_all(&Self::csv_rows(&page)?).map_err(io_err)?;
            written += page.len() as u64;
        }
        out.flush().map_err(io_err)?;
        Ok(written)
    }

    /// Writes the whole extract as an XLSX workbook at `path`: the rows on
    /// the sheet `Henvendelser` (written at constant memory through
    /// temporary files), the codebook on the sheet `Kodebog`. Refused
    /// before anything is written when the rows do not fit on one sheet.
    pub async fn write_xlsx(
        mut self,
        store: &dyn Store,
        codebook: &Table,
        path: &Path,
    ) -> CoreResult<u64> {
        if !self.fits_xlsx() {
            return Err(CoreError::Invalid(da!(
                "udtrækket har {} registreringer, men et Excel-ark rummer højst {}. Hent det \
                 som CSV, eller vælg en kortere periode",
                crate::reports::tabular::thousands(self.rows),
                crate::reports::tabular::thousands(XLSX_MAX_ROWS as i64)
            )));
        }
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(|e| CoreError::internal("udtrækket kunne ikke skrives som Excel", e))?;
        let mut writer = CodebookSheet::start(sheet, &self.headers)?;
        while let Some(page) = self.next_page(store).await? {
            let sheet = book
                .worksheet_from_index(0)
                .map_err(|e| CoreError::internal("udtrækket kunne ikke skrives som Excel", e))?;
            for row in &page {
                writer.write_row(sheet, row)?;
            }
        }
        codebook.write_sheet(book.add_worksheet(), "Kodebog")?;
        book.save(path)
            .map_err(|e| CoreError::internal("udtrækket kunne ikke skrives som Excel", e))?;
        Ok(writer.rows())
    }
}

/// The municipality's questions in the order their columns stand: the
/// national ones (optional parameters) first, then its own.
async fn question_columns(
    store: &dyn Store,
    municipality: MunicipalityCode,
) -> CoreResult<Vec<QuestionRow>> {
    let mut questions = store.list_all_questions(municipality).await?;
    questions.sort_by_key(|q| (q.municipality.is_some(), q.sort_order, q.id.0));
    Ok(questions)
}

fn io_err(e: std::io::Error) -> CoreError {
    CoreError::internal("udtrækket kunne ikke skrives", e)
}

/// The codebook that goes with a municipality's extract: every column and
/// what it holds, then every code a cell can have and what it means (the
/// municipality's units and tasks, the channels and types, the answers to
/// its questions).
pub async fn codebook(store: &dyn Store, municipality: MunicipalityCode) -> CoreResult<Table> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut push = |column: &str, code: String, meaning: String| {
        rows.push(vec![
            Cell::Text(column.to_owned()),
            Cell::Text(code),
            Cell::Text(meaning),
        ]);
    };
    for spec in COLUMNS {
        push(spec.header, String::new(), spec.description_da.to_owned());
    }
    let questions = question_columns(store, municipality).await?;
    for q in &questions {
        push(
            &q.label_da,
            String::new(),
            match q.answer_kind {
                AnswerKind::Choice => "Spørgsmål; svaret er en af koderne herunder".to_owned(),
                AnswerKind::Number => "Spørgsmål; svaret er et helt tal".to_owned(),
                AnswerKind::Text => "Spørgsmål; svaret er fri tekst".to_owned(),
            },
        );
    }
    let departments: HashMap<_, _> = store
        .list_departments(municipality)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    for unit in store.list_units(municipality).await? {
        let department = unit
            .department
            .and_then(|d| departments.get(&d).cloned())
            .map_or(String::new(), |d| format!(" ({d})"));
        let inactive = if unit.active { "" } else { ", nedlagt" };
        push(
            "Enhed",
            unit.login,
            format!("{}{department}{inactive}", unit.name),
        );
    }
    let mut tasks = store.list_tasks(municipality).await?;
    tasks.sort_by_key(|t| t.kle.to_string());
    for task in tasks {
        let own = if task.municipality.is_some() {
            ", kommunens egen"
        } else {
            ""
        };
        let retired = if task.retired { ", udgået" } else { "" };
        push(
            "Opgave",
            task.kle.to_string(),
            format!("{}{own}{retired}", task.name),
        );
    }
    for channel in store.list_channels().await? {
        push(
            "Kanal",
            channel.code.to_string(),
            format!("{} ({})", channel.label_da, channel.direction.label_da()),
        );
    }
    for t in store.list_inquiry_types().await? {
        push("Type", t.inquiry_type.code().to_owned(), t.label_da);
    }
    for c in Completion::ALL {
        let meaning = match c {
            Completion::AtOnce => "Afsluttet med det samme",
            Completion::PutAside => "Lagt til side til senere behandling",
        };
        push("Afslutning", c.code().to_owned(), meaning.to_owned());
    }
    push(
        "Blanket",
        "JA".into(),
        "Henvendelsen kom med en blanket".into(),
    );
    push(
        "Blanket",
        "NEJ".into(),
        "Henvendelsen kom uden blanket".into(),
    );
    for q in &questions {
        for o in &q.options {
            push(
                &q.label_da,
                o.label_da.clone(),
                format!("Svar (kode {})", o.code),
            );
        }
    }
    Ok(Table {
        header: vec!["Kolonne".into(), "Kode".into(), "Betydning".into()],
        rows,
    })
}
