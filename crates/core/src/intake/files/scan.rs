//! Reading a registration file: one pass over its rows, each resolved, counted and checked, with the warnings that do not block.

use super::*;

// --- reading a file --------------------------------------------------------------------

/// What one pass over a file saw.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub(super) format: String,
    pub(super) rows: u64,
    pub(super) valid_rows: u64,
    pub(super) inquiries: i64,
    pub(super) first_day: Option<NaiveDate>,
    pub(super) last_day: Option<NaiveDate>,
    pub(super) by_channel: BTreeMap<String, i64>,
    pub(super) warnings: BTreeMap<&'static str, (u64, Vec<u64>)>,
    /// Task codes and unit logins the set-up lacks, with the first line
    /// that names each.
    pub(super) new_tasks: BTreeMap<String, (KleNumber, u64)>,
    pub(super) new_units: BTreeMap<String, u64>,
    /// File inquiries per (unit, channel, day), for the overlap check.
    pub(super) cells: HashMap<(Option<UnitId>, ChannelCode, NaiveDate), i64>,
    /// File rows and inquiries per (unit, task, channel, day) of the rows
    /// whose unit and task exist: what earlier imports may hold already.
    pub(super) keyed: HashMap<Key, (u64, i64)>,
    /// The valid rows' fingerprint.
    pub(super) fingerprint: batch::Fingerprint,
}

/// A unit (or none), task, channel and day.
pub(super) type Key = (Option<UnitId>, TaskId, ChannelCode, NaiveDate);

impl Scan {
    pub(super) fn warn(&mut self, key: &'static str, line: u64) {
        let entry = self.warnings.entry(key).or_default();
        entry.0 += 1;
        if entry.1.len() < WARNING_LINES {
            entry.1.push(line);
        }
    }

    pub(super) fn count(&mut self, reg: &NewRegistration, notes: &Notes, line: u64) {
        self.valid_rows += 1;
        self.inquiries += reg.quantity;
        let day = DateDimensions::of(reg.registered_at).day;
        self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
        self.last_day = Some(self.last_day.map_or(day, |d| d.max(day)));
        *self.by_channel.entry(reg.channel.to_string()).or_default() += reg.quantity;
        if reg.source == Source::Upload {
            *self
                .cells
                .entry((reg.unit, reg.channel.clone(), day))
                .or_default() += reg.quantity;
        }
        if notes.new_task.is_none() && notes.new_unit.is_none() {
            let cell = self
                .keyed
                .entry((reg.unit, reg.task, reg.channel.clone(), day))
                .or_default();
            cell.0 += 1;
            cell.1 += reg.quantity;
        }
        if notes.task_not_assigned {
            self.warn(WARN_NOT_ASSIGNED, line);
        }
        if notes.form_ignored {
            self.warn(WARN_FORM, line);
        }
        if notes.retired_task {
            self.warn(WARN_RETIRED, line);
        }
    }
}

pub(super) const WARN_NOT_ASSIGNED: &str =
    dl!("Opgaven er ikke tildelt enheden (rækken gemmes alligevel).");
pub(super) const WARN_FORM: &str =
    dl!("Blanket er angivet på en kanal, hvor en blanket ikke kan følge med; feltet gemmes ikke.");
pub(super) const WARN_RETIRED: &str =
    dl!("Opgaven er udgået af kataloget (rækken gemmes alligevel).");

/// Reads every row of the file, resolving each; valid registrations go to
/// `sink` (which may stop the pass by returning false). Blocking: run on a
/// blocking thread.
pub(super) fn scan_file(
    path: &Path,
    kind: FileKind,
    limits: Limits,
    resolver: &Resolver,
    summary: &mut ProblemSummary,
    mut sink: impl FnMut(NewRegistration) -> bool,
) -> Result<Scan, IngestError> {
    let open = || {
        std::fs::File::open(path).map_err(|e| {
            IngestError::one(
                "filen",
                Problem::line(1, ProblemKind::Unreadable, da!("filen kan ikke åbnes: {e}")),
            )
        })
    };
    let mut head = [0u8; 8];
    let n = open()?.read(&mut head).unwrap_or(0);
    let mut scan = Scan::default();
    let mut handle = |scan: &mut Scan,
                      summary: &mut ProblemSummary,
                      raw: Result<RawRow<'_>, (Vec<Problem>, &PartialRow)>|
     -> bool {
        scan.rows += 1;
        let raw = match raw {
            Ok(raw) => raw,
            Err((mut problems, partial)) => {
                // The cells that did parse are checked too: every problem
                // of the line at once.
                if let Some(line) = problems.first().map(|p| p.line) {
                    if !problems.iter().any(|p| p.kind.ends_file()) {
                        problems.extend(resolver.partial_problems(line, partial));
                    }
                }
                summary.add_row(problems);
                return true;
            }
        };
        match resolver.resolve(&raw) {
            Ok((reg, notes)) => {
                let line = raw.line;
                scan.fingerprint.add(&resolver.canonical(&raw));
                if let Some(task) = &notes.new_task {
                    scan.new_tasks
                        .entry(task.to_string())
                        .or_insert_with(|| (task.clone(), line));
                }
                if let Some(unit) = &notes.new_unit {
                    scan.new_units.entry(unit.clone()).or_insert(line);
                }
                scan.count(&reg, &notes, line);
                // A row that needs a task or unit created first cannot be
                // stored in this pass (the import creates them, then reads
                // again).
                if notes.new_task.is_some() || notes.new_unit.is_some() {
                    return true;
                }
                sink(reg)
            }
            Err(problems) => {
                summary.add_row(problems);
                true
            }
        }
    };
    match (kind, detect_format(&head[..n])) {
        (_, FileFormat::Xls) => {
            summary.add(komhen_ingest::codebook::xls_problem());
        }
        (FileKind::Codebook, FileFormat::Xlsx) => {
            scan.format = dl!("Excel-projektmappe (XLSX)").into();
            let mut book = CodebookWorkbook::open(BufReader::new(open()?), limits)?;
            let mut rows = book.rows()?;
            let header = resolver.header_problems(rows.extra_headers());
            if !header.is_empty() {
                return Err(IngestError::new("kodebogsfilen", header));
            }
            while let Some(row) = rows.next() {
                let raw = match &row {
                    Ok(row) => Ok(codebook_raw(row)),
                    Err(problems) => Err((problems.clone(), rows.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
        (FileKind::Codebook, FileFormat::Csv) => {
            let mut reader = CodebookReader::with_limits(BufReader::new(open()?), limits)?;
            scan.format = da!(
                "CSV ({}, adskilt med «{}»)",
                reader.encoding().label(),
                char::from(reader.delimiter())
            );
            let header = resolver.header_problems(reader.extra_headers());
            if !header.is_empty() {
                return Err(IngestError::new("kodebogsfilen", header));
            }
            while let Some(row) = reader.next() {
                let raw = match &row {
                    Ok(row) => Ok(codebook_raw(row)),
                    Err(problems) => Err((problems.clone(), reader.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
        (FileKind::Landkort, FileFormat::Xlsx) => {
            summary.add(Problem::line(
                1,
                ProblemKind::Unreadable,
                dl!(
                    "et udtræk fra Det Digitale Landkort er en CSV-fil, ikke en Excel-projektmappe"
                ),
            ));
        }
        (FileKind::Landkort, FileFormat::Csv) => {
            let mut reader = LandkortReader::with_limits(BufReader::new(open()?), limits)?;
            scan.format = da!("CSV ({}, adskilt med «;»)", reader.encoding().label());
            while let Some(row) = reader.next() {
                let raw = match &row {
                    Ok(row) => Ok(landkort_raw(row)),
                    Err(problems) => Err((problems.clone(), reader.failed_row())),
                };
                if !handle(&mut scan, summary, raw) {
                    break;
                }
            }
        }
    }
    Ok(scan)
}

/// The extra headers of a file (without reading its rows).
pub(super) fn extra_headers(
    path: &Path,
    kind: FileKind,
    limits: Limits,
) -> Result<Vec<String>, IngestError> {
    let open = || {
        std::fs::File::open(path).map_err(|e| {
            IngestError::one(
                "filen",
                Problem::line(1, ProblemKind::Unreadable, da!("filen kan ikke åbnes: {e}")),
            )
        })
    };
    let mut head = [0u8; 8];
    let n = open()?.read(&mut head).unwrap_or(0);
    match (kind, detect_format(&head[..n])) {
        (FileKind::Codebook, FileFormat::Xlsx) => {
            let mut book = CodebookWorkbook::open(BufReader::new(open()?), limits)?;
            let rows = book.rows()?;
            Ok(rows.extra_headers().to_vec())
        }
        (FileKind::Codebook, FileFormat::Csv) => Ok(CodebookReader::with_limits(
            BufReader::new(open()?),
            limits,
        )?
        .extra_headers()
        .to_vec()),
        (FileKind::Landkort, FileFormat::Csv) => Ok(LandkortReader::with_limits(
            BufReader::new(open()?),
            limits,
        )?
        .extra_headers()
        .to_vec()),
        _ => Ok(Vec::new()),
    }
}
