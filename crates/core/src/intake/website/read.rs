//! Reading a Matomo export and previewing what it would store: pages mapped to tasks per day, or the visits summary.

use super::*;

/// One pages row as read, before the municipality's mappings apply.
pub(super) struct PageLine {
    pub(super) line: u64,
    pub(super) period: Option<Days>,
    /// The page, or None for a folder row or a label that is no address.
    pub(super) page: Option<PagePath>,
    pub(super) label: String,
    pub(super) folder: bool,
    pub(super) visits: i64,
}

/// A day range a row names: its first and last day.
pub(super) type Days = (NaiveDate, NaiveDate);

/// A visits summary row: its line, its days (when dated) and the visits.
pub(super) type SiteLine = (u64, Option<Days>, i64);

/// What one pass over the file gave.
pub(super) struct FileRead {
    pub(super) kind: Option<ReportKind>,
    pub(super) format: String,
    pub(super) pages: Vec<PageLine>,
    /// Visits summary: (line, period of the row, visits).
    pub(super) visits: Vec<SiteLine>,
    pub(super) summary: ProblemSummary,
}

/// Reads the file as a pages report, else as a visits summary.
pub(super) fn read_file(path: &Path, limits: Limits) -> FileRead {
    let mut read = FileRead {
        kind: None,
        format: String::new(),
        pages: Vec::new(),
        visits: Vec::new(),
        summary: ProblemSummary::new(limits.max_problems_kept),
    };
    let open = || std::fs::File::open(path).map(BufReader::new);
    let file = match open() {
        Ok(f) => f,
        Err(e) => {
            read.summary.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                da!("filen kan ikke åbnes: {e}"),
            ));
            return read;
        }
    };
    let pages_error = match MatomoPagesReader::with_limits(file, limits) {
        Ok(reader) => {
            read.kind = Some(ReportKind::Pages);
            read.format = reader.encoding().label().to_owned();
            let urls = reader.has_urls();
            for row in reader {
                match row {
                    Ok(row) => {
                        let folder = urls && row.url.is_none();
                        let page = if folder {
                            None
                        } else {
                            PagePath::of_visit(row.url.as_deref().unwrap_or(&row.label))
                        };
                        read.pages.push(PageLine {
                            line: row.line,
                            period: row.date.zip(row.date_to),
                            page,
                            label: row.label,
                            folder,
                            visits: row.visits,
                        });
                    }
                    Err(problems) => read.summary.add_row(problems),
                }
            }
            return read;
        }
        Err(e) => e,
    };
    let visits = open()
        .map_err(|e| e.to_string())
        .map(|file| MatomoVisitsReader::with_limits(file, limits));
    match visits {
        Ok(Ok(reader)) => {
            read.kind = Some(ReportKind::Visits);
            read.format = reader.encoding().label().to_owned();
            for row in reader {
                match row {
                    Ok(row) => read
                        .visits
                        .push((row.line, row.date.zip(row.date_to), row.visits)),
                    Err(problems) => read.summary.add_row(problems),
                }
            }
        }
        // Neither report: say what the pages report lacks, the usual upload.
        _ => read.summary = summary_of(pages_error, limits),
    }
    read
}

pub(super) fn danish(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// Reads the whole file and says what importing it would do. Stores nothing.
#[tracing::instrument(level = "debug", skip_all, fields(%municipality))]
pub async fn preview_web(
    store: &dyn Store,
    municipality: MunicipalityCode,
    upload: &WebUpload<'_>,
) -> CoreResult<WebPreview> {
    let sha256 = crate::intake::files::sha256_of(upload.path)?;
    let mut preview = WebPreview {
        kind: None,
        file_name: upload.file_name.to_owned(),
        sha256,
        format: String::new(),
        rows: 0,
        first_day: None,
        last_day: None,
        by_task: Vec::new(),
        inquiries: 0,
        unmapped: Vec::new(),
        unmapped_pages: 0,
        unmapped_visits: 0,
        folder_rows: 0,
        sessions: Vec::new(),
        warnings: Vec::new(),
        problems: ProblemSummary::new(upload.limits.max_problems_kept),
        duplicate_of: None,
        registrations: Vec::new(),
        totals: Vec::new(),
    };
    if let Some(problem) = sniff(upload.path, dl!("Matomo-eksporten"))? {
        preview.problems.add(problem);
        return Ok(preview);
    }
    let (path, limits) = (upload.path.to_owned(), upload.limits);
    let read = blocking(move || read_file(&path, limits)).await?;
    preview.kind = read.kind;
    preview.format = read.format;
    preview.problems = read.summary;
    preview.rows = (read.pages.len() + read.visits.len()) as u64 + preview.problems.bad_rows();
    if let Some(kind) = preview.kind {
        preview.duplicate_of = crate::intake::batch::committed_twin(
            store,
            Some(municipality),
            kind.batch_kind(),
            &preview.sha256,
            None,
        )
        .await?;
    }
    match preview.kind {
        Some(ReportKind::Pages) => {
            pages_preview(store, municipality, upload.period, read.pages, &mut preview).await?
        }
        Some(ReportKind::Visits) => {
            visits_preview(
                store,
                municipality,
                upload.period,
                &read.visits,
                &mut preview,
            )
            .await?
        }
        None => {}
    }
    Ok(preview)
}

/// The day of a pages row, or its problem.
pub(super) fn day_of(
    row: &PageLine,
    period: Option<ReportPeriod>,
) -> Result<NaiveDate, Option<Problem>> {
    match (row.period, period) {
        (Some((from, to)), _) if from != to => Err(Some(Problem::cell(
            row.line,
            "date",
            ProblemKind::Invalid,
            da!(
                "rækken dækker {} – {}, ikke én dag. Eksportér rapporten pr. dag (Matomo: \
                 periode «dag»), så hvert besøg får sin dato",
                danish(from),
                danish(to)
            ),
        ))),
        (Some((day, _)), Some(given)) if !given.contains(day) => Err(Some(Problem::cell(
            row.line,
            "date",
            ProblemKind::Conflict,
            da!(
                "rækken er fra {}, uden for den angivne periode {}. Ret perioden, eller \
                 eksportér rapporten igen",
                danish(day),
                given.label_da()
            ),
        ))),
        (Some((day, _)), _) => Ok(day),
        (None, Some(given)) if given.is_day() => Ok(given.from),
        // Without a day the file's problem is reported once, not per row.
        (None, _) => Err(None),
    }
}

pub(super) async fn pages_preview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    period: Option<ReportPeriod>,
    rows: Vec<PageLine>,
    preview: &mut WebPreview,
) -> CoreResult<()> {
    let mappings = store.list_web_pages(municipality).await?;
    if mappings.is_empty() {
        preview.warnings.push(
            dl!(
                "Kommunen har ingen sider knyttet til opgaver endnu, så ingen besøg bliver til \
             henvendelser. Knyt siderne til opgaver på siden Hjemmeside, og indlæs filen igen."
            )
            .into(),
        );
    }
    let tasks = store.list_tasks(municipality).await?;
    let undated = rows.iter().any(|r| r.period.is_none());
    if undated {
        let problem = match period {
            None => Some(
                dl!(
                    "rapporten har ingen dato pr. række, så komhen ved ikke, hvilken dag besøgene \
                 var. Angiv dagen, rapporten dækker (fx 21-10-2025), eller eksportér den pr. dag \
                 med en datokolonne (Matomo: periode «dag» over et datointerval)"
                )
                .to_owned(),
            ),
            Some(p) if !p.is_day() => Some(da!(
                "rapporten dækker {} uden dato pr. række. Besøg gemmes med besøgets dato, så en \
                 rapport for flere dage kan ikke fordeles uden at opfinde datoer. Eksportér én \
                 rapport pr. dag, eller én pr. dag over et datointerval (Matomo: periode «dag»)",
                p.label_da()
            )),
            Some(_) => None,
        };
        if let Some(message) = problem {
            preview
                .problems
                .add(Problem::line(1, ProblemKind::Invalid, message));
        }
    }
    // Visits per (task, day) and per unmapped page.
    let mut cells: BTreeMap<(TaskId, NaiveDate), i64> = BTreeMap::new();
    let mut unmapped: HashMap<String, (bool, i64)> = HashMap::new();
    let mut first_day: Option<NaiveDate> = None;
    let mut last_day: Option<NaiveDate> = None;
    for row in &rows {
        if row.folder {
            preview.folder_rows += 1;
            continue;
        }
        let day = match day_of(row, period) {
            Ok(day) => day,
            Err(Some(problem)) => {
                preview.problems.add_row(vec![problem]);
                continue;
            }
            Err(None) => continue,
        };
        if row.visits == 0 {
            continue;
        }
        first_day = Some(first_day.map_or(day, |d| d.min(day)));
        last_day = Some(last_day.map_or(day, |d| d.max(day)));
        let task = row
            .page
            .as_ref()
            .and_then(|page| longest_match(page, mappings.iter().map(|m| (&m.path, m.task))));
        match (task, &row.page) {
            (Some(task), _) => *cells.entry((task, day)).or_default() += row.visits,
            (None, Some(page)) => {
                unmapped
                    .entry(page.as_str().to_owned())
                    .or_insert((true, 0))
                    .1 += row.visits
            }
            (None, None) => unmapped.entry(row.label.clone()).or_insert((false, 0)).1 += row.visits,
        }
    }
    preview.first_day = first_day;
    preview.last_day = last_day;
    let channel = web_channel()?;
    let mut by_task: BTreeMap<TaskId, (usize, i64)> = BTreeMap::new();
    for ((task, day), visits) in &cells {
        let entry = by_task.entry(*task).or_default();
        entry.0 += 1;
        entry.1 += visits;
        let Some(registered_at) = danish_instant(*day, 12, 0) else {
            continue;
        };
        preview.registrations.push(NewRegistration {
            municipality,
            unit: None,
            task: *task,
            channel: channel.clone(),
            inquiry_type: Some(InquiryType::Guidance),
            completion: Some(Completion::AtOnce),
            has_form: Some(false),
            registered_at,
            duration_ms: None,
            quantity: *visits,
            source: Source::Upload,
            is_test: false,
            idempotency_key: None,
            answers: vec![],
        });
    }
    for reg in &preview.registrations {
        if let Err(e) = reg.validate() {
            preview.problems.add(Problem::line(
                1,
                ProblemKind::Invalid,
                da!("besøgene på én opgave og dag kan ikke gemmes: {e}"),
            ));
        }
    }
    preview.by_task = by_task
        .into_iter()
        .filter_map(|(task, (days, visits))| {
            tasks.iter().find(|t| t.id == task).map(|t| TaskVisits {
                task: t.clone(),
                days,
                visits,
            })
        })
        .collect();
    preview
        .by_task
        .sort_by(|a, b| b.visits.cmp(&a.visits).then(a.task.kle.cmp(&b.task.kle)));
    preview.inquiries = preview.by_task.iter().map(|t| t.visits).sum();
    preview.unmapped_pages = unmapped.len();
    preview.unmapped_visits = unmapped.values().map(|(_, v)| v).sum();
    let mut unmapped: Vec<UnmappedPage> = unmapped
        .into_iter()
        .map(|(page, (is_page, visits))| UnmappedPage {
            page,
            is_page,
            visits,
        })
        .collect();
    unmapped.sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.page.cmp(&b.page)));
    unmapped.truncate(UNMAPPED_SHOWN);
    preview.unmapped = unmapped;
    if preview.folder_rows > 0 {
        preview.warnings.push(da!(
            "{} mapperækker uden adresse er sprunget over: de summerer siderne under dem. \
             Eksportér rapporten «flad» (Matomo: «Gør flad»), så hver side står på sin egen række.",
            preview.folder_rows
        ));
    }
    Ok(())
}

pub(super) async fn visits_preview(
    store: &dyn Store,
    municipality: MunicipalityCode,
    period: Option<ReportPeriod>,
    rows: &[SiteLine],
    preview: &mut WebPreview,
) -> CoreResult<()> {
    if period.is_none() && rows.iter().any(|(_, p, _)| p.is_none()) {
        preview.problems.add(Problem::line(
            1,
            ProblemKind::Invalid,
            dl!(
                "rapporten har ingen dato, så komhen ved ikke, hvilken periode besøgene dækker. \
                 Angiv perioden (fx 2025 for hele året, 2025-10 for en måned eller 21-10-2025 \
                 for en dag)"
            ),
        ));
    }
    for (line, row_period, visits) in rows {
        let covered = match (row_period, period) {
            (Some((from, to)), Some(given)) if !(given.contains(*from) && given.contains(*to)) => {
                preview.problems.add_row(vec![Problem::cell(
                    *line,
                    "date",
                    ProblemKind::Conflict,
                    da!(
                        "rækken dækker {}, uden for den angivne periode {}. Ret perioden, eller \
                         eksportér rapporten igen",
                        ReportPeriod {
                            from: *from,
                            to: *to
                        }
                        .label_da(),
                        given.label_da()
                    ),
                )]);
                continue;
            }
            (Some((from, to)), _) => ReportPeriod {
                from: *from,
                to: *to,
            },
            (None, Some(given)) => given,
            (None, None) => continue,
        };
        preview.sessions.push((covered, *visits));
        preview.totals.push(NewTotalCount {
            municipality,
            measure: TotalMeasure::WebsiteSessions,
            channel: None,
            from: covered.from,
            to: covered.to,
            count: *visits,
            source: "upload".into(),
            batch: None,
        });
    }
    preview.first_day = preview.sessions.iter().map(|(p, _)| p.from).min();
    preview.last_day = preview.sessions.iter().map(|(p, _)| p.to).max();
    // Visits already counted for overlapping days would count twice.
    let earlier: Vec<TotalCountRow> = website_sessions(store, municipality)
        .await?
        .into_iter()
        .filter(|t| {
            preview
                .sessions
                .iter()
                .any(|(p, _)| t.from <= p.to && p.from <= t.to)
        })
        .filter(|t| {
            preview
                .duplicate_of
                .as_ref()
                .is_none_or(|d| t.batch != Some(d.id))
        })
        .collect();
    if let Some(t) = earlier.first() {
        let period = ReportPeriod {
            from: t.from,
            to: t.to,
        }
        .label_da();
        let visits = komhen_ingest::summary::danish_number(u64::try_from(t.count).unwrap_or(0));
        preview.warnings.push(if earlier.len() > 1 {
            da!(
                "Kommunen har allerede besøgstal for {period} ({visits} besøg og {} andre \
                 perioder). Slet den tidligere indlæsning, hvis den nye fil skal afløse den, så \
                 besøgene ikke tælles to gange.",
                earlier.len() - 1
            )
        } else {
            da!(
                "Kommunen har allerede besøgstal for {period} ({visits} besøg). Slet den \
                 tidligere indlæsning, hvis den nye fil skal afløse den, så besøgene ikke tælles \
                 to gange."
            )
        });
    }
    Ok(())
}
